import Foundation
import HTTPClient
import MLflowStore
import Testing
import TestSupport

@testable import MLflowServerStore

/// A trace logged to a real `mlflow server` by an attempt that stopped between its two requests
/// (the server went down, the process was killed): the server already made the trace from its
/// spans, without the trace's info.
@Suite("REST store: a trace an interrupted attempt half logged")
struct InterruptedTraceTests {
  @Test("logged again, a half-logged trace gets its info (the model link): it is not reported as existing")
  func halfLoggedTraceCompleted() async throws {
    let server = try await MLflowServer.sqlite.value
    let store = try RESTTrackingStore(serverURL: server.url, configuration: StoreBackend.testConfiguration)
    let experiment = try await store.createExperiment(named: "interrupted-" + UUID().uuidString)
    let model = try await store.createLoggedModel(experimentID: experiment.experimentID, name: nil, tags: [:])
    let trace = SampleTrace.make(modelID: model.modelID, experimentID: experiment.experimentID)
    // The first of logTrace's two requests, alone: what the interrupted attempt sent.
    let spans = HTTPRequest(
      method: "POST", url: server.url + "/v1/traces",
      headers: [("Content-Type", "application/json"), ("x-mlflow-experiment-id", experiment.experimentID)],
      body: Array(OTLPSpans.exportRequest(trace.spans).pythonJSON.utf8), timeout: .seconds(60))
    let sent = try await HTTPTransport.shared.send(spans).get()
    try #require(sent.status == 200, "\(String(decoding: sent.body, as: UTF8.self))")
    let half = try await store.searchTraces(experimentIDs: [experiment.experimentID], modelID: nil).traces
    try #require(half.map(\.traceID) == [trace.info.traceID], "the server made the trace from its spans")
    #expect(half[0].metadata[TraceInfo.modelIDKey] == nil, "without the model link")

    let stored = try await store.logTrace(trace)
    #expect(stored.metadata[TraceInfo.modelIDKey] == model.modelID)
    let linked = try await store.searchTraces(experimentIDs: [experiment.experimentID], modelID: model.modelID).traces
    #expect(linked.map(\.traceID) == [trace.info.traceID], "found through its version")
    #expect(try await store.trace(id: trace.info.traceID).spans.count == trace.spans.count, "its spans once")

    let again = await #expect(throws: MLflowStoreError.self) { try await store.logTrace(trace) }
    #expect(again?.code == .alreadyExists, "a complete trace is reported as existing")
  }
}
