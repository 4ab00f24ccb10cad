/// One message of a chat-completions conversation, in OpenAI's format
/// (`{"role": "user", "content": "…"}`).
///
/// # Usage
/// ```swift
/// let messages: [ChatMessage] = [
///   .system("You are a helpful support agent."),
///   .user("How do I reset my password?"),
/// ]
/// ```
public struct ChatMessage: Sendable, Hashable, Codable {
  /// Who speaks: `system`, `user`, `assistant`, `tool`, or another role a provider uses.
  public struct Role: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// OpenAI's spelling, e.g. `assistant`.
    public let rawValue: String
    /// The role OpenAI spells `rawValue`.
    public init(rawValue: String) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws {
      rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
      var container = encoder.singleValueContainer()
      try container.encode(rawValue)
    }

    /// OpenAI's spelling.
    public var description: String { rawValue }

    /// Instructions for the model.
    public static let system = Role(rawValue: "system")
    /// The person asking.
    public static let user = Role(rawValue: "user")
    /// The model's replies.
    public static let assistant = Role(rawValue: "assistant")
    /// A tool's result.
    public static let tool = Role(rawValue: "tool")
  }

  /// Who speaks.
  public var role: Role
  /// What they say; `nil` in an assistant message that only calls tools.
  public var content: String?

  /// A message from `role`; `content` is `nil` in an assistant message that only calls tools.
  public init(role: Role, content: String?) {
    self.role = role
    self.content = content
  }

  /// A system message: instructions for the model.
  public static func system(_ content: String) -> ChatMessage { ChatMessage(role: .system, content: content) }
  /// A user message.
  public static func user(_ content: String) -> ChatMessage { ChatMessage(role: .user, content: content) }
  /// An assistant message, e.g. an earlier reply in the conversation.
  public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: .assistant, content: content) }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(role, forKey: .role)
    try container.encode(content, forKey: .content)  // `null` rather than absent, as OpenAI writes it
  }
}
