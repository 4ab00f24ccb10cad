import Foundation
import GitVersioning
import MLflowTracing
import Testing
import TestSupport

@Suite("Traces written to a real mlflow server are read by Python MLflow")
struct ServerTracingTests {
  @Test(
    "with MLFLOW_TRACKING_URI a server on a fresh SQLite database: search_traces(model_id=) returns the trace, get_trace shows every span with parent, type, inputs, outputs and token usage"
  )
  func nestedSpansReachPythonThroughServer() async throws {
    let fixture = try await TracingFixture.onServer()
    defer { fixture.remove() }
    let server = try #require(fixture.server)

    let (traceID, modelID) = try await fixture.withVersion { context in
      #expect(context.activeModel?.trackingURI == server.url, "the version is on the server")
      return (try await NestedSpans.record(), context.activeModel!.modelID)
    }
    await flushTraces()

    try await NestedSpans.expectPythonReads(traceID: traceID, modelID: modelID, in: fixture)
    let python = try await fixture.python(
      """
      model = mlflow.get_logged_model(\(pythonLiteral(modelID)))
      info = mlflow.get_trace(\(pythonLiteral(traceID))).info
      print(json.dumps({"status": str(model.status), "branch": model.tags.get("mlflow.source.git.branch"),
                        "metadata": info.trace_metadata, "name": info.tags.get("mlflow.traceName")}))
      """) as? [String: Any]
    #expect(python?["status"] as? String == "READY", "the version is on the server: \(server.log.suffix(2000))")
    #expect(python?["branch"] as? String == "main")
    #expect(python?["name"] as? String == "answer")
    let metadata = python?["metadata"] as? [String: String]
    #expect(metadata?["mlflow.modelId"] == modelID)
    #expect(metadata?["mlflow.source.git.branch"] == "main")
    // Stored on the server, not in a local database nor waiting in the trace journal.
    #expect(!FileManager.default.fileExists(atPath: fixture.databasePath))
    let journal = TraceJournal(stateDirectory: fixture.repo + "/.git/mlflow-git")
    #expect(journal.count == 0)
    await fixture.remove()  // the server stops without holding a cooperative thread; the defer is for a throw
  }
}
