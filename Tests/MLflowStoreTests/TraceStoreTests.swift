import Foundation
import MLflowStore
import Testing
import TestSupport

/// The rows the SQLite store writes for traces, beyond what the store contract
/// (Contract/TraceContractTests) checks through the API.
@Suite("Trace rows in the SQLite store")
struct TraceStoreTests {
  @Test("A trace's rows carry MLflow's payload generation, trace name and span model name")
  func rows() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let trace = SampleTrace.make(modelID: nil)
    _ = try await store.logTrace(trace)
    let traceID = trace.info.traceID
    let raw = try RawDatabase(store.databasePath)
    let rows = try raw.rows("SELECT db_payload_generation, trace_name FROM trace_info WHERE request_id = ?", [traceID])
    #expect(rows.first?["db_payload_generation"] as? Int64 == 1)
    #expect(rows.first?["trace_name"] as? String == "my_app")
    let span = try raw.rows("SELECT model_name FROM spans WHERE trace_id = ? AND name = 'llm'", [traceID])
    #expect(span.first?["model_name"] as? String == "gpt-x")
  }

  @Test("Session, token usage and cost metadata go to MLflow's columns, not to metadata rows")
  func analyticsColumns() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    var trace = SampleTrace.make(modelID: nil)
    trace.info.metadata["mlflow.trace.session"] = "session-1"
    trace.info.metadata["mlflow.trace.tokenUsage"] = #"{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}"#
    trace.info.metadata["mlflow.trace.cost"] = #"{"input_cost": 0.25, "total_cost": 1.5}"#
    _ = try await store.logTrace(trace)
    let raw = try RawDatabase(store.databasePath)
    let rows = try raw.rows(
      "SELECT session_id, input_tokens, total_tokens, input_cost, output_cost FROM trace_info WHERE request_id = ?",
      [trace.info.traceID])
    #expect(rows.first?["session_id"] as? String == "session-1")
    #expect(rows.first?["input_tokens"] as? Int64 == 10 && rows.first?["total_tokens"] as? Int64 == 15)
    #expect(rows.first?["input_cost"] as? Double == 0.25 && rows.first?["output_cost"] is NSNull)
    #expect(try raw.count(
      "trace_request_metadata", where: "request_id = ? AND key LIKE 'mlflow.trace.%' AND key != 'mlflow.trace.infoFinalized'",
      [trace.info.traceID]) == 0)
  }

  @Test("A refused trace writes no row; a duplicate ID adds none")
  func nothingWrittenOnRefusal() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let good = SampleTrace.make(modelID: nil)
    var notJSON = good
    notJSON.spans[1].attributes["x"] = "not json"
    _ = try? await store.logTrace(notJSON)
    #expect(try RawDatabase(store.databasePath).count("trace_info") == 0)
    _ = try await store.logTrace(good)
    _ = try? await store.logTrace(good)
    let raw = try RawDatabase(store.databasePath)
    #expect(try raw.count("spans") == 2 && raw.count("trace_tags") == 2)
  }
}
