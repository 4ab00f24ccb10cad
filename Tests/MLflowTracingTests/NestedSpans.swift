import Foundation
import MLflowStore
import MLflowTracing
import Testing
import TestSupport

/// The trace the conformance tests record in Swift and read back with Python MLflow: an AGENT
/// root with a PARSER and a CHAT_MODEL child, inputs, outputs and token usage.
enum NestedSpans {
  /// Records the trace with the current task's version active; returns its ID.
  static func record() async throws -> String {
    try await trace("answer", type: .agent, inputs: ["question": "What is MLflow?"]) { root in
      let prompt = trace("build_prompt", type: .parser, inputs: "What is MLflow?") { span in
        span.setOutputs("Q: What is MLflow?")
        return "Q: What is MLflow?"
      }
      let request = ChatRequest(model: "stand-in", messages: [.init(role: "user", content: prompt)])
      try await trace("chat", type: .chatModel, inputs: request) { span in
        span.setOutputs(["choices": [["message": ["role": "assistant", "content": "A platform."]]]])
        span.setTokenUsage(TokenUsage(inputTokens: 12, outputTokens: 5))
        try await Task.sleep(for: .milliseconds(2))
      }
      root.setOutputs("A platform.")
      return root.traceID
    }
  }

  /// Checks what Python MLflow reads through `fixture`'s tracking URI: `search_traces(model_id=)`
  /// returns the trace alone, `get_trace` shows its state, token usage and every span with its
  /// parent, type, inputs and outputs.
  static func expectPythonReads(
    traceID: String, modelID: String, in fixture: TracingFixture, sourceLocation: SourceLocation = #_sourceLocation
  ) async throws {
    let python = try await fixture.python(
      """
      traces = mlflow.search_traces(model_id=\(pythonLiteral(modelID)), return_type="list")
      trace = mlflow.get_trace(\(pythonLiteral(traceID)))
      print(json.dumps({
        "ids": [t.info.trace_id for t in traces],
        "state": str(trace.info.state),
        "usage": trace.info.token_usage,
        "spans": [{"name": s.name, "id": s.span_id, "parent": s.parent_id, "type": s.span_type,
                   "inputs": s.inputs, "outputs": s.outputs} for s in trace.data.spans],
      }))
      """) as? [String: Any]
    #expect(python?["ids"] as? [String] == [traceID], sourceLocation: sourceLocation)
    #expect((python?["state"] as? String)?.hasSuffix("OK") == true, sourceLocation: sourceLocation)
    #expect((python?["usage"] as? [String: Int])?["total_tokens"] == 17, sourceLocation: sourceLocation)
    let spans = try #require(python?["spans"] as? [[String: Any]], sourceLocation: sourceLocation)
    #expect(spans.map { $0["name"] as? String } == ["answer", "build_prompt", "chat"], sourceLocation: sourceLocation)
    #expect(spans.map { $0["type"] as? String } == ["AGENT", "PARSER", "CHAT_MODEL"], sourceLocation: sourceLocation)
    let rootID = spans[0]["id"] as? String
    #expect(spans[0]["parent"] is NSNull, sourceLocation: sourceLocation)
    #expect(spans[1]["parent"] as? String == rootID, sourceLocation: sourceLocation)
    #expect(spans[2]["parent"] as? String == rootID, sourceLocation: sourceLocation)
    #expect((spans[0]["inputs"] as? [String: String])?["question"] == "What is MLflow?", sourceLocation: sourceLocation)
    #expect(spans[0]["outputs"] as? String == "A platform.", sourceLocation: sourceLocation)
    #expect(
      ((spans[2]["inputs"] as? [String: Any])?["messages"] as? [[String: String]])?.first?["content"] == "Q: What is MLflow?",
      sourceLocation: sourceLocation)
  }
}

/// A chat request as the chat span's inputs.
struct ChatRequest: Codable, Sendable {
  struct Message: Codable, Sendable {
    var role: String
    var content: String
  }
  var model: String
  var messages: [Message]
}
