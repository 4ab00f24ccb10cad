import Foundation
import MLflowStore
import Testing

/// What every ``TrackingStore`` does with traces, checked on each backend.
@Suite("Traces: the store contract")
struct TraceContractTests {
  @Test("A logged trace reads back with its info, metadata, tags and spans", arguments: StoreBackend.allCases)
  func roundTrip(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    let store = fixture.store
    let model = try await store.createLoggedModel(experimentID: fixture.experimentID, name: "m", tags: [:])
    let trace = SampleTrace.make(modelID: model.modelID, experimentID: fixture.experimentID)
    let stored = try await store.logTrace(trace)
    let traceID = trace.info.traceID
    #expect(stored.tags["mlflow.artifactLocation"] == (try await fixture.artifactLocation("traces/\(traceID)/artifacts")))
    #expect(stored.tags["mlflow.trace.spansLocation"] == "TRACKING_STORE")
    #expect(stored.tags[TraceInfo.traceNameKey] == "my_app")
    #expect(stored.metadata["mlflow.trace_schema.version"] == "3")
    #expect(stored.metadata["mlflow.trace.infoFinalized"] == "true")
    #expect(stored.metadata["mlflow.user"] == "swift")
    #expect(stored.requestTime == trace.info.requestTime && stored.executionDuration == 21 && stored.state == .ok)
    #expect(stored.requestPreview == trace.info.requestPreview && stored.responsePreview == "hi")

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
      for (key, value) in written.attributes { #expect(loaded.attributes[key] == value, "\(key)") }
    }
  }

  @Test("Traces are found by model ID, newest first, page by page", arguments: StoreBackend.allCases)
  func searchByModel(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    let store = fixture.store
    let model = try await store.createLoggedModel(experimentID: fixture.experimentID, name: "m", tags: [:])
    var linked: [Trace] = []
    for offset in 0..<3 {
      var trace = SampleTrace.make(modelID: model.modelID, experimentID: fixture.experimentID)
      trace.info.requestTime += Int64(offset)
      linked.append(trace)
      _ = try await store.logTrace(trace)
    }
    _ = try await store.logTrace(SampleTrace.make(modelID: nil, experimentID: fixture.experimentID))
    var found: [String] = []
    var token: String?
    repeat {
      let page = try await store.searchTraces(
        experimentIDs: [fixture.experimentID], modelID: model.modelID, maxResults: 2, pageToken: token)
      found += page.traces.map(\.traceID)
      token = page.nextPageToken
    } while token != nil
    #expect(found == linked.reversed().map(\.info.traceID))
    #expect(try await store.searchTraces(experimentIDs: [fixture.experimentID], modelID: nil).traces.count == 4)
    #expect(try await store.searchTraces(experimentIDs: [fixture.experimentID], modelID: "m-it's").traces.isEmpty)
    let foreign = await #expect(throws: MLflowStoreError.self) {
      try await store.searchTraces(experimentIDs: ["0"], modelID: nil, maxResults: 2, pageToken: token ?? "x")
    }
    #expect(foreign?.code == .invalidArgument)
  }

  @Test("Session, token usage and cost metadata come back as they were logged", arguments: StoreBackend.allCases)
  func analyticsMetadata(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    var trace = SampleTrace.make(modelID: nil, experimentID: fixture.experimentID)
    trace.info.metadata["mlflow.trace.session"] = "session-1"
    trace.info.metadata["mlflow.trace.tokenUsage"] = #"{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}"#
    trace.info.metadata["mlflow.trace.cost"] = #"{"input_cost": 0.25, "total_cost": 1.5}"#
    _ = try await fixture.store.logTrace(trace)
    let read = try await fixture.store.trace(id: trace.info.traceID)
    #expect(read.info.metadata["mlflow.trace.session"] == "session-1")
    #expect(read.info.metadata["mlflow.trace.tokenUsage"] == #"{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}"#)
    #expect(read.info.metadata["mlflow.trace.cost"] == #"{"input_cost": 0.25, "total_cost": 1.5}"#)
  }

  @Test("Previews longer than 1000 characters are cut as MLflow cuts them", arguments: StoreBackend.allCases)
  func longPreviews(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    var trace = SampleTrace.make(modelID: nil, experimentID: fixture.experimentID)
    trace.info.requestPreview = String(repeating: "é", count: 1500)
    let stored = try await fixture.store.logTrace(trace)
    #expect(stored.requestPreview == String(repeating: "é", count: 997) + "...")
    #expect(try await fixture.store.trace(id: trace.info.traceID).info.requestPreview == stored.requestPreview)
  }

  @Test("Malformed traces are refused before anything is written; IDs are unique", arguments: StoreBackend.allCases)
  func validation(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    let store = fixture.store
    let good = SampleTrace.make(modelID: nil, experimentID: fixture.experimentID)
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
    #expect(try await store.searchTraces(experimentIDs: [fixture.experimentID], modelID: nil).traces.isEmpty)
    _ = try await store.logTrace(good)
    let duplicate = await #expect(throws: MLflowStoreError.self) { try await store.logTrace(good) }
    #expect(duplicate?.code == .alreadyExists)
    let missing = await #expect(throws: MLflowStoreError.self) { try await store.trace(id: TraceInfo.newTraceID()) }
    #expect(missing?.code == .traceNotFound)
  }
}
