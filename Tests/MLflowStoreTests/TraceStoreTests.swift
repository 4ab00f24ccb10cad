import Foundation
import MLflowStore
import Testing

@Suite("Traces in the SQLite store")
struct TraceStoreTests {
  @Test("A logged trace reads back with its info, metadata, tags and spans")
  func roundTrip() async throws {
    let directory = try TemporaryDirectory()
    let store = try await TemplateDatabase.store(in: directory)
    let model = try await store.createLoggedModel(experimentID: "0", name: "m", tags: [:])
    let trace = SampleTrace.make(modelID: model.modelID)
    let stored = try await store.logTrace(trace)
    let traceID = trace.info.traceID
    #expect(stored.tags["mlflow.artifactLocation"] == directory.appending("mlruns/0/traces/\(traceID)/artifacts"))
    #expect(stored.tags["mlflow.trace.spansLocation"] == "TRACKING_STORE")
    #expect(stored.metadata["mlflow.trace_schema.version"] == "3")
    #expect(stored.metadata["mlflow.trace.infoFinalized"] == "true")

    let read = try await store.trace(id: traceID)
    #expect(read.info == stored)
    #expect(read.info.metadata[TraceInfo.modelIDKey] == model.modelID)
    #expect(read.spans.map(\.name) == ["my_app", "llm"])
    for (written, loaded) in zip(trace.spans, read.spans) {
      #expect(loaded.spanID == written.spanID && loaded.parentSpanID == written.parentSpanID)
      #expect(loaded.type == written.type && loaded.status == written.status)
      #expect(loaded.startTime == written.startTime && loaded.endTime == written.endTime)
      #expect(loaded.inputs == written.inputs && loaded.outputs == written.outputs)
      #expect(loaded.events == written.events)
      #expect(loaded.attributes["mlflow.traceRequestId"] == JSONText.string(traceID))
      #expect(loaded.attributes["mlflow.spanType"] == JSONText.string(written.type.rawValue))
    }
    let rows = try RawDatabase(store.databasePath).rows(
      "SELECT db_payload_generation, trace_name FROM trace_info WHERE request_id = ?", [traceID])
    #expect(rows.first?["db_payload_generation"] as? Int64 == 1)
    #expect(rows.first?["trace_name"] as? String == "my_app")
    let span = try RawDatabase(store.databasePath).rows(
      "SELECT model_name FROM spans WHERE trace_id = ? AND name = 'llm'", [traceID])
    #expect(span.first?["model_name"] as? String == "gpt-x")
  }

  @Test("Traces are found by model ID, newest first, page by page")
  func searchByModel() async throws {
    let directory = try TemporaryDirectory()
    let store = try await TemplateDatabase.store(in: directory)
    let model = try await store.createLoggedModel(experimentID: "0", name: "m", tags: [:])
    var linked: [Trace] = []
    for offset in 0..<3 {
      var trace = SampleTrace.make(modelID: model.modelID)
      trace.info.requestTime += Int64(offset)
      linked.append(trace)
      _ = try await store.logTrace(trace)
    }
    _ = try await store.logTrace(SampleTrace.make(modelID: nil))
    var found: [String] = []
    var token: String?
    repeat {
      let page = try await store.searchTraces(experimentIDs: ["0"], modelID: model.modelID, maxResults: 2, pageToken: token)
      found += page.traces.map(\.traceID)
      token = page.nextPageToken
    } while token != nil
    #expect(found == linked.reversed().map(\.info.traceID))
    #expect(try await store.searchTraces(experimentIDs: ["0"], modelID: nil).traces.count == 4)
  }

  @Test("Session, token usage and cost metadata go to MLflow's columns and come back")
  func analyticsMetadata() async throws {
    let directory = try TemporaryDirectory()
    let store = try await TemplateDatabase.store(in: directory)
    var trace = SampleTrace.make(modelID: nil)
    trace.info.metadata["mlflow.trace.session"] = "session-1"
    trace.info.metadata["mlflow.trace.tokenUsage"] = #"{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}"#
    trace.info.metadata["mlflow.trace.cost"] = #"{"input_cost": 0.25, "total_cost": 1.5}"#
    _ = try await store.logTrace(trace)
    let rows = try RawDatabase(store.databasePath).rows(
      "SELECT session_id, input_tokens, total_tokens, input_cost, output_cost FROM trace_info WHERE request_id = ?",
      [trace.info.traceID])
    #expect(rows.first?["session_id"] as? String == "session-1")
    #expect(rows.first?["input_tokens"] as? Int64 == 10 && rows.first?["total_tokens"] as? Int64 == 15)
    #expect(rows.first?["input_cost"] as? Double == 0.25 && rows.first?["output_cost"] is NSNull)
    #expect(try RawDatabase(store.databasePath).count(
      "trace_request_metadata", where: "request_id = ? AND key LIKE 'mlflow.trace.%' AND key != 'mlflow.trace.infoFinalized'",
      [trace.info.traceID]) == 0)
    let read = try await store.trace(id: trace.info.traceID)
    #expect(read.info.metadata["mlflow.trace.session"] == "session-1")
    #expect(read.info.metadata["mlflow.trace.tokenUsage"] == #"{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}"#)
    #expect(read.info.metadata["mlflow.trace.cost"] == #"{"input_cost": 0.25, "total_cost": 1.5}"#)
  }

  @Test("Previews longer than 1000 characters are cut as MLflow cuts them")
  func longPreviews() async throws {
    let directory = try TemporaryDirectory()
    let store = try await TemplateDatabase.store(in: directory)
    var trace = SampleTrace.make(modelID: nil)
    trace.info.requestPreview = String(repeating: "é", count: 1500)
    let stored = try await store.logTrace(trace)
    #expect(stored.requestPreview == String(repeating: "é", count: 997) + "...")
    #expect(try await store.trace(id: trace.info.traceID).info.requestPreview == stored.requestPreview)
  }

  @Test("Malformed traces are refused before anything is written")
  func validation() async throws {
    let directory = try TemporaryDirectory()
    let store = try await TemplateDatabase.store(in: directory)
    let good = SampleTrace.make(modelID: nil)
    var badID = good
    badID.info.traceID = "tr-XYZ"
    var noSpans = good
    noSpans.spans = []
    var notJSON = good
    notJSON.spans[1].attributes["x"] = "not json"
    var foreign = good
    foreign.spans[1].traceID = TraceInfo.newTraceID()
    var duplicateSpan = good
    duplicateSpan.spans[1].spanID = good.spans[0].spanID
    for trace in [badID, noSpans, notJSON, foreign, duplicateSpan] {
      let error = await #expect(throws: MLflowStoreError.self) { try await store.logTrace(trace) }
      #expect(error?.code == .invalidArgument)
    }
    #expect(try RawDatabase(store.databasePath).count("trace_info") == 0)
    _ = try await store.logTrace(good)
    let duplicate = await #expect(throws: MLflowStoreError.self) { try await store.logTrace(good) }
    #expect(duplicate?.code == .alreadyExists)
    let raw = try RawDatabase(store.databasePath)
    #expect(try raw.count("spans") == 2 && raw.count("trace_tags") == 2)
    let missing = await #expect(throws: MLflowStoreError.self) { try await store.trace(id: TraceInfo.newTraceID()) }
    #expect(missing?.code == .traceNotFound)
  }
}
