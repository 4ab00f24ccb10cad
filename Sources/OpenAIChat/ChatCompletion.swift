public import MLflowTracing

/// A chat-completions answer: the model's choices and the tokens the call used, decoded from
/// OpenAI's response (`{"choices": [{"message": …}], "usage": {"prompt_tokens": …}}`).
///
/// # Usage
/// ```swift
/// let completion = try await client.complete(messages: [.user("Hi")])
/// print(completion.text ?? "", completion.usage?.totalTokens ?? 0)
/// ```
public struct ChatCompletion: Sendable, Decodable {
  /// One alternative answer.
  public struct Choice: Sendable, Decodable {
    /// Its position among the choices.
    public var index: Int
    /// The assistant's message.
    public var message: ChatMessage
    /// Why generation stopped: `stop`, `length`, `tool_calls`, `content_filter`, …
    public var finishReason: String?

    enum CodingKeys: String, CodingKey {
      case index, message
      case finishReason = "finish_reason"
    }

    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      index = try container.decodeIfPresent(Int.self, forKey: .index) ?? 0
      message = try container.decode(ChatMessage.self, forKey: .message)
      finishReason = try container.decodeIfPresent(String.self, forKey: .finishReason)
    }
  }

  /// Tokens the call used, as the provider counted them.
  public struct Usage: Sendable, Hashable, Decodable {
    /// Tokens in the prompt (the messages sent).
    public var promptTokens: Int
    /// Tokens generated.
    public var completionTokens: Int
    /// Their sum, as reported.
    public var totalTokens: Int

    /// Usage from the prompt and completion counts; the total defaults to their sum.
    public init(promptTokens: Int, completionTokens: Int, totalTokens: Int? = nil) {
      self.promptTokens = promptTokens
      self.completionTokens = completionTokens
      self.totalTokens = totalTokens ?? promptTokens + completionTokens
    }

    enum CodingKeys: String, CodingKey {
      case promptTokens = "prompt_tokens"
      case completionTokens = "completion_tokens"
      case totalTokens = "total_tokens"
    }

    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      let prompt = try container.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
      let completion = try container.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
      self.init(
        promptTokens: prompt, completionTokens: completion,
        totalTokens: try container.decodeIfPresent(Int.self, forKey: .totalTokens))
    }

    /// The same counts as MLflow records them on a chat span (`input_tokens`, …).
    public var tokenUsage: TokenUsage {
      TokenUsage(inputTokens: promptTokens, outputTokens: completionTokens, totalTokens: totalTokens)
    }
  }

  /// The provider's ID for the completion (`chatcmpl-…`), when it sends one.
  public var id: String?
  /// The model that answered, as the provider names it (may be more specific than the one
  /// asked for, e.g. `gpt-4o-mini-2024-07-18`).
  public var model: String?
  /// The answers; at least one.
  public var choices: [Choice]
  /// Token counts, when the provider reports them.
  public var usage: Usage?

  /// The whole response as received, for the chat span's outputs.
  var response: ResponseJSON = .null

  enum CodingKeys: String, CodingKey {
    case id, model, choices, usage
  }

  /// The first choice's text, or `nil` when it has none (e.g. only tool calls).
  public var text: String? { choices.first?.message.content }
}
