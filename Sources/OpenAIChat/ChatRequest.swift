/// The body of a chat-completions request in OpenAI's format; also the chat span's inputs, as
/// Python MLflow's OpenAI autolog records the call's arguments.
struct ChatRequest: Sendable, Encodable {
  var model: String
  var messages: [ChatMessage]
}
