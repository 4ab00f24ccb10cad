public import FoundationEssentials
public import MLflowStore

/// Opens the store a tracking URI names: the embedded SQLite store for `sqlite:///…`, the REST
/// store for `http(s)://…`.
///
/// # Usage
/// ```swift
/// let uri = try TrackingURI.resolve(defaultDirectory: repositoryRoot)
/// let store = try await TrackingStores.open(uri)
/// let experiment = try await ExperimentSelection.resolve(in: store)
/// ```
public enum TrackingStores {
  /// The store for `uri`, configured from `environment` as MLflow configures itself.
  ///
  /// - Throws: `.invalidConfiguration` for the file store, which mlflow-git does not write, or
  ///   a bad setting; the SQLite store's errors when its database cannot be opened.
  public static func open(
    _ uri: TrackingURI,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) async throws(MLflowStoreError) -> any TrackingStore {
    switch uri {
    case .sqlite(let path):
      return try await SQLiteTrackingStore.open(databasePath: path, options: .init(environment: environment))
    case .server(let url):
      return try RESTTrackingStore(serverURL: url, environment: environment)
    case .fileStore(let path):
      throw MLflowStoreError(
        code: .invalidConfiguration,
        message: "the tracking URI is MLflow's file store at '\(path)', which mlflow-git does not write; migrate it "
          + "with `mlflow migrate-filestore` or set MLFLOW_TRACKING_URI to sqlite:///mlflow.db or a tracking server")
    }
  }
}
