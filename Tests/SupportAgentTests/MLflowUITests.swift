import ChildProcess
import Foundation
import Testing
import TestSupport

@Suite("The MLflow UI shows the example's trace under its version")
struct MLflowUITests {
  @Test("through the UI's own API: Agent versions lists the version, its Traces tab the trace, the trace view the chat span")
  func throughTheUIsAPI() async throws {
    let scenario = try await UIScenario.shared.value
    let server = scenario.server
    #expect(try await server.page("/").contains("<div id=\"root\""))

    let version = try #require(try await server.searchVersions().first { $0["model_id"] as? String == scenario.modelID })
    #expect(version["name"] as? String == scenario.versionName)
    #expect(version["status"] as? String == "LOGGED_MODEL_READY")

    let traces = try await server.searchTraces(modelID: scenario.modelID)
    #expect(traces.count == 1)
    let info = try #require(traces.first)
    #expect(info["state"] as? String == "OK")
    #expect((info["tags"] as? [String: String])?["mlflow.traceName"] == "support_agent")
    #expect((info["trace_metadata"] as? [String: String])?["mlflow.modelId"] == scenario.modelID)
    #expect((info["request_preview"] as? String)?.contains(UIScenario.question) == true)
    #expect((info["response_preview"] as? String)?.contains("Stand-in answer") == true)
    #expect((info["trace_metadata"] as? [String: String])?["mlflow.trace.tokenUsage"]?.contains("total_tokens") == true)

    // Opening the trace loads its spans with this request; the chat span carries what the UI's
    // chat view reads.
    let traceID = try #require(info["trace_id"] as? String)
    let trace = try await server.call("/ajax-api/3.0/mlflow/traces/get?trace_id=\(traceID)&allow_partial=true")
    let spans = try #require((trace["trace"] as? [String: Any])?["spans"] as? [[String: Any]], "\(trace)")
    #expect(Set(spans.compactMap { $0["name"] as? String }) == ["support_agent", "Completions"])
    let chatSpan = try #require(spans.first { $0["name"] as? String == "Completions" })
    // OpenTelemetry's form: [{"key": …, "value": {"string_value": …} or {"kvlist_value": …}}].
    let attributes = Dictionary(
      ((chatSpan["attributes"] as? [[String: Any]]) ?? []).compactMap { entry in
        (entry["key"] as? String).map { ($0, entry["value"] as? [String: Any] ?? [:]) }
      }, uniquingKeysWith: { first, _ in first })
    #expect(attributes["mlflow.spanType"]?["string_value"] as? String == "CHAT_MODEL", "\(chatSpan)")
    #expect(attributes["mlflow.message.format"]?["string_value"] as? String == "openai")
    #expect(attributes["mlflow.llm.provider"]?["string_value"] as? String == "openai")
    #expect(keys(of: attributes["mlflow.spanInputs"]) == ["model", "messages"])
    #expect(keys(of: attributes["mlflow.chat.tokenUsage"]) == ["input_tokens", "output_tokens", "total_tokens"])
  }

  @Test("in headless Chromium (Debian's package): the version's Traces tab lists the trace, opening it shows the span tree; screenshots attached")
  func inABrowser() async throws {
    let scenario = try await UIScenario.shared.value
    let traceID = try #require(try await scenario.server.searchTraces(modelID: scenario.modelID).first?["trace_id"] as? String)
    let profile = scenario.fixture.scratch.root + "/chromium-\(UUID().uuidString)"
    let tracesTab = "\(scenario.server.url)/#/experiments/0/models/\(scenario.modelID)/traces"
    let traceView = tracesTab + "?selectedEvaluationId=\(traceID)"

    let tab = try await HeadlessChromium.run(["--dump-dom"], url: tracesTab, profile: profile).standardOutputText
    #expect(tab.contains(scenario.versionName))
    #expect(tab.contains(traceID))
    #expect(tab.contains("Stand-in answer: to '\(UIScenario.question)'"))

    let view = try await HeadlessChromium.run(["--dump-dom"], url: traceView, profile: profile).standardOutputText
    #expect(view.contains(">support_agent<"))
    #expect(view.contains(">Completions<"))

    for (name, url) in [("agent-version-traces-tab.png", tracesTab), ("trace-view.png", traceView)] {
      let path = profile + "/" + name
      _ = try await HeadlessChromium.run(["--screenshot=" + path], url: url, profile: profile)
      let png = try Data(contentsOf: URL(fileURLWithPath: path))
      #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
      Attachment.record(png, named: name)
    }
  }
}

/// The keys of an OpenTelemetry `kvlist_value`.
private func keys(of value: [String: Any]?) -> Set<String>? {
  ((value?["kvlist_value"] as? [String: Any])?["values"] as? [[String: Any]]).map { Set($0.compactMap { $0["key"] as? String }) }
}
