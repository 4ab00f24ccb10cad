import MLflowServerStore
import MLflowStore
import Synchronization

/// Tracking stores opened once per tracking URI, and the experiment each one's traces go to
/// when a trace names none (`MLFLOW_EXPERIMENT_NAME`/`_ID`, else the default experiment).
final class StoreCache: Sendable {
  private let stores = Mutex<[String: any TrackingStore]>([:])
  private let experiments = Mutex<[String: String]>([:])

  /// The store at `uri` (a relative `sqlite:///` path is relative to `directory`).
  func store(
    for uri: String, environment: [String: String], relativeTo directory: String
  ) async throws(MLflowStoreError) -> any TrackingStore {
    if let store = stores.withLock({ $0[uri] }) { return store }
    let parsed = try TrackingURI(parsing: uri, relativeTo: directory, settingName: "the trace's tracking URI")
    let store = try await TrackingStores.open(parsed, environment: environment)
    stores.withLock { $0[uri] = store }
    return store
  }

  /// The experiment of traces that name none, in `store` (the store at `uri`).
  func experimentID(
    for uri: String, in store: any TrackingStore, environment: [String: String]
  ) async throws(MLflowStoreError) -> String {
    if let id = experiments.withLock({ $0[uri] }) { return id }
    let id = try await ExperimentSelection.resolve(in: store, environment: environment).experimentID
    experiments.withLock { $0[uri] = id }
    return id
  }

  /// Opens the store at `uri` again next time (after it failed).
  func forget(_ uri: String) {
    _ = stores.withLock { $0.removeValue(forKey: uri) }
  }
}
