import MLflowStore
import MLflowTracing
import OpenAIChat

/// The customer support agent: answers a customer's question with one chat-model call under
/// a system prompt. Each answer is one MLflow trace: an `AGENT` span `support_agent` (inputs
/// the question, outputs the answer) around the client's `CHAT_MODEL` span (the messages, the
/// response and its token usage).
///
/// # Usage
/// ```swift
/// let agent = SupportAgent(chat: try ChatClient(environment: ProcessInfo.processInfo.environment))
/// print(try await agent.answer("How do I reset my password?"))
/// ```
struct SupportAgent: Sendable {
  /// The instructions the model answers under.
  static let systemPrompt = """
    You are the customer support agent of Acme Cloud, a file storage service. Answer the \
    customer's question in at most three short sentences, in plain language. If you do not \
    know the answer, say so and offer to open a support ticket.
    """

  /// The question asked when none is given on the command line.
  static let defaultQuestion = "How do I reset my password?"

  /// The trace's (and root span's) name.
  static let spanName = "support_agent"

  let chat: ChatClient

  /// The agent's answer to `question`, traced.
  func answer(_ question: String) async throws(ChatError) -> String {
    let span = startSpan(Self.spanName, type: .agent, inputs: ["question": question])
    let result: Result<String, ChatError> = await withSpan(span) {
      do throws(ChatError) {
        let completion = try await chat.complete(messages: [.system(Self.systemPrompt), .user(question)])
        return .success(completion.text ?? "")
      } catch {
        return .failure(error)
      }
    }
    switch result {
    case .success(let answer):
      span.setOutputs(answer)
      span.end()
      return answer
    case .failure(let error):
      span.recordError(error)
      span.end()
      throw error
    }
  }
}
