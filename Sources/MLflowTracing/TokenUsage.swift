/// Token counts of one chat-model call, stored as MLflow does: the span attribute
/// `mlflow.chat.tokenUsage` and, summed over the trace, the metadata `mlflow.trace.tokenUsage`.
/// The MLflow UI shows both.
///
/// # Usage
/// ```swift
/// span.setTokenUsage(TokenUsage(inputTokens: reply.usage.promptTokens, outputTokens: reply.usage.completionTokens))
/// ```
public struct TokenUsage: Sendable, Hashable, Codable {
  /// Tokens in the prompt.
  public var inputTokens: Int
  /// Tokens generated.
  public var outputTokens: Int
  /// Their sum (or what the provider reported).
  public var totalTokens: Int

  /// Usage from the prompt and completion counts; the total defaults to their sum.
  public init(inputTokens: Int, outputTokens: Int, totalTokens: Int? = nil) {
    self.inputTokens = inputTokens
    self.outputTokens = outputTokens
    self.totalTokens = totalTokens ?? inputTokens + outputTokens
  }

  enum CodingKeys: String, CodingKey {
    case inputTokens = "input_tokens"
    case outputTokens = "output_tokens"
    case totalTokens = "total_tokens"
  }

  /// The span attribute that holds one call's usage.
  package static let spanAttributeKey = "mlflow.chat.tokenUsage"
  /// The trace metadata that holds the trace's total.
  package static let traceMetadataKey = "mlflow.trace.tokenUsage"

  static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
    TokenUsage(
      inputTokens: lhs.inputTokens + rhs.inputTokens, outputTokens: lhs.outputTokens + rhs.outputTokens,
      totalTokens: lhs.totalTokens + rhs.totalTokens)
  }
}
