import MLflowStore
import MLflowTracing

/// The traced unit: one agent step — retrieve, then generate — with small inputs and outputs,
/// as a root span with two children; the same shape as `python_trace.py`'s `@mlflow.trace`
/// functions. `untraced` is the same work without tracing, the baseline that is subtracted.
enum AgentStep {
  /// Spans per traced step.
  static let spans = 3

  struct GenerateInputs: Encodable, Sendable {
    let question: String
    let documents: [String]
  }

  static func retrieve(_ query: String) -> [String] { ["doc-1 about \(query)", "doc-2"] }

  static func generate(_ question: String, _ documents: [String]) -> [String: String] {
    ["answer": "\(documents.count) documents on \(question)", "model": "stub"]
  }

  static func untraced(_ question: String) -> [String: String] { generate(question, retrieve(question)) }

  /// With async closures, as agent code awaiting model calls uses it.
  static func traced(_ question: String) async -> [String: String] {
    await trace("agent_step", type: .agent, inputs: ["question": question]) { _ async in
      let documents = await trace("retrieve", type: .tool, inputs: ["query": question]) { _ async in
        retrieve(question)
      }
      return await trace("generate", type: .llm, inputs: GenerateInputs(question: question, documents: documents)) {
        _ async in generate(question, documents)
      }
    }
  }

  /// With synchronous closures.
  static func tracedSync(_ question: String) -> [String: String] {
    trace("agent_step", type: .agent, inputs: ["question": question]) { _ in
      let documents = trace("retrieve", type: .tool, inputs: ["query": question]) { _ in retrieve(question) }
      return trace("generate", type: .llm, inputs: GenerateInputs(question: question, documents: documents)) { _ in
        generate(question, documents)
      }
    }
  }
}
