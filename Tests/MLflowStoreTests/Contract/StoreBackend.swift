import Foundation
import MLflowServerStore
import MLflowStore
import Testing
import TestSupport

/// The stores the same contract tests run against: the embedded SQLite store, and the REST
/// store on a real `mlflow server` backed by SQLite and by PostgreSQL.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case sqlite
  case serverOnSQLite
  case serverOnPostgres

  var testDescription: String {
    switch self {
    case .sqlite: "SQLite store"
    case .serverOnSQLite: "REST store, server on SQLite"
    case .serverOnPostgres: "REST store, server on PostgreSQL"
    }
  }

  /// A store and an experiment no other test uses: a fresh database's `Default` experiment, or
  /// a new experiment on the shared server.
  func fixture() async throws -> StoreFixture {
    switch self {
    case .sqlite:
      let directory = try TemporaryDirectory()
      let store = try await MLflowDatabaseTemplate.store(in: directory)
      return StoreFixture(store: store, experimentID: "0", keepAlive: directory)
    case .serverOnSQLite, .serverOnPostgres:
      let server = try await (self == .serverOnSQLite ? MLflowServer.sqlite : MLflowServer.postgres).value
      let store = try RESTTrackingStore(serverURL: server.url, configuration: StoreBackend.testConfiguration)
      let experiment = try await store.createExperiment(named: "contract-" + UUID().uuidString)
      return StoreFixture(store: store, experimentID: experiment.experimentID, keepAlive: server)
    }
  }

  /// Short timeouts and quick retries, so a broken server fails a test fast.
  static let testConfiguration = RESTTrackingStore.Configuration(
    requestTimeout: .seconds(60), maxRetries: 2, backoffFactor: 0.1, backoffJitter: 0)
}

/// A store to test and the experiment to work in.
struct StoreFixture {
  let store: any TrackingStore
  let experimentID: String
  /// What must live as long as the store (its directory or its server).
  let keepAlive: AnyObject

  /// `<experiment artifact location>/<parts>`.
  func artifactLocation(_ parts: String) async throws -> String {
    try await store.experiment(id: experimentID).artifactLocation + "/" + parts
  }
}
