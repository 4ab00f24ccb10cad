import ChildProcess
import Foundation
import MLflowStore
import Testing
import TestSupport

/// `mlflow server` (3.17.2) serves a database this store wrote, without migrations or schema
/// complaints, and lists its models and traces over REST.
@Suite("mlflow server on our database")
struct ServerTests {
  @Test("The server starts on our database and its REST API lists our models and traces")
  func serverListsOurModels() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let model = try await store.createLoggedModel(
      experimentID: "0", name: "main-1234567", tags: ["mlflow.source.git.branch": "main", "mlflow.source.name": "mlflow-git"])
    _ = try await store.finalizeLoggedModel(id: model.modelID, status: .ready)
    let other = try await store.createLoggedModel(experimentID: "0", name: nil, tags: [:])
    let trace = SampleTrace.make(modelID: model.modelID)
    _ = try await store.logTrace(trace)
    let revisionBefore = try RawDatabase(store.databasePath).rows("SELECT version_num FROM alembic_version")

    let server = try await MLflowServer.started(
      backendURI: TrackingURI.sqlite(path: store.databasePath).description, directory: directory.path)
    let check = try await ChildProcess.runLimited(
      try await ReferenceMLflow.pythonPath(),
      arguments: [ReferenceMLflow.packageRoot + "/Tests/MLflowStoreTests/Python/server_check.py", server.url, model.modelID],
      environment: ReferenceMLflow.environment())
    let members = server.processGroupMembers()
    await server.stop()
    let log = server.log

    #expect(members.count > 1, "the server should run as a group of processes")
    #expect(server.processGroupMembers().isEmpty, "server processes left running")
    let answer = try #require(
      try JSONSerialization.jsonObject(with: Data(check.standardOutput)) as? [String: Any],
      "\(check.standardOutputText) \(check.standardErrorText) \(log.suffix(3000))")
    #expect(answer["error"] == nil, "\(answer) \(log.suffix(3000))")
    let listed = ((answer["models"] as? [String: Any])?["models"] as? [[String: Any]]) ?? []
    let ids = listed.compactMap { ($0["info"] as? [String: Any])?["model_id"] as? String }
    #expect(Set(ids) == [model.modelID, other.modelID])
    let info = ((answer["model"] as? [String: Any])?["model"] as? [String: Any])?["info"] as? [String: Any]
    #expect(info?["name"] as? String == "main-1234567")
    #expect(info?["status"] as? String == "LOGGED_MODEL_READY")
    let traces = ((answer["traces"] as? [String: Any])?["traces"] as? [[String: Any]]) ?? []
    #expect(traces.compactMap { $0["trace_id"] as? String } == [trace.info.traceID])
    for complaint in ["out-of-date database schema", "Traceback", "Running upgrade"] {
      #expect(!log.contains(complaint), "server log mentions '\(complaint)': \(log.suffix(3000))")
    }
    #expect(try RawDatabase(store.databasePath).rows("SELECT version_num FROM alembic_version") == revisionBefore)
  }
}
