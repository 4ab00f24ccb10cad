import Foundation
import MLflowServerStore
import MLflowStore
import Testing
import TestSupport

/// The REST store and Python MLflow 3.17.2 share one real `mlflow server`: each sees the
/// other's models and traces. Also: the store through MLflow's basic-auth app.
@Suite("REST store with Python MLflow and basic auth on a real server")
struct ServerInteropTests {
  @Test("enable_git_model_versioning() on the same server reuses our model; search_traces finds our traces with spans")
  func pythonSharesTheServer() async throws {
    let server = try await MLflowServer.sqlite.value
    let store = try RESTTrackingStore(serverURL: server.url, configuration: StoreBackend.testConfiguration)
    let experiment = try await store.createExperiment(named: "interop-" + UUID().uuidString)
    let directory = try TemporaryDirectory()
    let repository = try GitFixture(in: directory)
    let gitTags = try repository.cleanTags()
    let ours = try await store.createLoggedModel(
      experimentID: experiment.experimentID, name: nil, tags: gitTags.merging(["mlflow.source.name": "mlflow-git"]) { $1 })
    let trace = SampleTrace.make(modelID: ours.modelID, experimentID: experiment.experimentID)
    _ = try await store.logTrace(trace)
    _ = try await store.logTrace(SampleTrace.make(modelID: nil, experimentID: experiment.experimentID))

    let results = try await ReferenceMLflow.runOracle([
      ["op": "enable_git", "cwd": repository.path],
      ["op": "search_traces", "model_id": ours.modelID, "experiment_ids": [experiment.experimentID]],
      ["op": "get_trace", "trace_id": trace.info.traceID],
      ["op": "search_logged_models", "experiment_ids": [experiment.experimentID]],
    ], trackingURI: server.url, extra: ["MLFLOW_EXPERIMENT_ID": experiment.experimentID])

    let enabled = try #require(results[0] as? [String: Any], "\(results[0]) \(server.log.suffix(2000))")
    #expect(enabled["git_tags"] as? [String: String] == gitTags)
    #expect(enabled["model_id"] as? String == ours.modelID, "Python created a second model instead of reusing ours")
    #expect((results[3] as? [[String: Any]])?.count == 1)
    let found = try #require(results[1] as? [[String: Any]], "\(results[1])")
    #expect(found.compactMap { $0["trace_id"] as? String } == [trace.info.traceID])
    let got = try #require(results[2] as? [String: Any], "\(results[2])")
    #expect((got["metadata"] as? [String: String])?["mlflow.modelId"] == ours.modelID)
    let spans = try #require(got["spans"] as? [[String: Any]])
    #expect(spans.compactMap { $0["name"] as? String } == ["my_app", "llm"])
    #expect(spans.compactMap { $0["span_type"] as? String } == ["CHAIN", "CHAT_MODEL"])
    #expect(spans[1]["parent_id"] as? String == spans[0]["span_id"] as? String)
    #expect(NSDictionary(dictionary: spans[0]["inputs"] as? [String: Any] ?? [:]) == ["q": "What is MLflow?"])
    #expect(spans[0]["start_time_ns"] as? Int == Int(trace.spans[0].startTime))

    // And the other way round: Python's model, found by our lookup with the same tags.
    let pythonTags = try #require(enabled["git_tags"] as? [String: String])
    let page = try await store.searchLoggedModels(
      LoggedModelSearch(experimentIDs: [experiment.experimentID], tags: pythonTags, maxResults: 1))
    #expect(page.models.map(\.modelID) == [ours.modelID])
  }

  @Test("With basic auth, the right credentials work and wrong ones fail clearly, without the password")
  func basicAuth() async throws {
    let server = try await MLflowServer.basicAuth.value
    let right = try RESTTrackingStore(serverURL: server.url, environment: [
      "MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": MLflowServer.adminPassword,
    ])
    let model = try await right.createLoggedModel(experimentID: "0", name: nil, tags: ["k": "v"])
    #expect(try await right.loggedModel(id: model.modelID).tags == ["k": "v"])
    let inURL = try RESTTrackingStore(
      serverURL: server.url.replacingOccurrences(of: "http://", with: "http://admin:\(MLflowServer.adminPassword)@"),
      environment: [:])
    #expect(try await inURL.loggedModel(id: model.modelID).modelID == model.modelID)

    let wrongPassword = "not-the-Pa55word-42"
    for store in [
      try RESTTrackingStore(serverURL: server.url, environment: [
        "MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": wrongPassword,
      ]),
      try RESTTrackingStore(serverURL: server.url, environment: [:]),
    ] {
      let error = await #expect(throws: MLflowStoreError.self) {
        try await store.createLoggedModel(experimentID: "0", name: nil, tags: [:])
      }
      #expect(error?.code == .unauthenticated)
      #expect(error?.message.contains("HTTP 401") == true && error?.message.contains("MLFLOW_TRACKING_PASSWORD") == true)
      #expect(error?.message.contains(wrongPassword) == false && error?.message.contains(MLflowServer.adminPassword) == false)
    }
  }
}
