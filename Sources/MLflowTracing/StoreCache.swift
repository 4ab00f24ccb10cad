import MLflowServerStore
import MLflowStore
import Synchronization

/// Tracking stores opened once per tracking URI, and the experiment each one's traces go to
/// when a trace has no experiment ID: the one its version named, else the environment's
/// (`MLFLOW_EXPERIMENT_NAME`/`_ID`, else the default experiment).
final class StoreCache: Sendable {
  private let stores = Mutex<[String: any TrackingStore]>([:])
  private let experiments = Mutex<[String: String]>([:])

  /// The store at `uri` (a relative `sqlite:///` path is relative to `directory`); a stored URI
  /// has no credentials, so those of `environment`'s URI for the same server are used.
  func store(
    for uri: String, environment: [String: String], relativeTo directory: String
  ) async throws(MLflowStoreError) -> any TrackingStore {
    if let store = stores.withLock({ $0[uri] }) { return store }
    let parsed = try TrackingURI.reconnecting(
      to: uri, environment: environment, relativeTo: directory, settingName: "the trace's tracking URI")
    let store = try await TrackingStores.open(parsed, environment: environment)
    stores.withLock { $0[uri] = store }
    return store
  }

  /// The experiment of traces without an experiment ID, in `store` (the store at `uri`): the one
  /// named `name` when there is one (see ``TraceDestination/experimentName``), else the
  /// environment's.
  func experimentID(
    for uri: String, named name: String?, in store: any TrackingStore, environment: [String: String]
  ) async throws(MLflowStoreError) -> String {
    let selection = uri + "\u{0}" + (name ?? "")
    if let id = experiments.withLock({ $0[selection] }) { return id }
    let id = try await ExperimentSelection.resolve(
      in: store, environment: TraceJournal.selecting(name, in: environment)
    ).experimentID
    experiments.withLock { $0[selection] = id }
    return id
  }

  /// Opens the store at `uri` again next time (after it failed).
  func forget(_ uri: String) {
    _ = stores.withLock { $0.removeValue(forKey: uri) }
  }
}
