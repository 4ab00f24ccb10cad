// The usage examples of OpenAIChat's `///` comments, verbatim, as an app writes them (see
// DocExampleSnippets.swift for the markers; MLflowTracingTests' DocExampleTests checks them
// against the comments, ChatDocExampleTests runs them against the chat-completions stand-in).

import Foundation
import MLflowTracing
import OpenAIChat

/// The environment examples read `ProcessInfo.processInfo.environment`; a local `ProcessInfo`
/// of this type hands them the stand-in server's variables instead, so the examples run
/// unchanged without setting variables in the whole test process.
struct StandInProcess {
  var processInfo: StandInProcessInfo
}

/// ``StandInProcess``'s `processInfo`.
struct StandInProcessInfo {
  var environment: [String: String]
}

/// `ChatClient(environment:)`'s example: the client it made.
func clientFromEnvironmentExample(environment: [String: String]) throws -> ChatClient {
  let ProcessInfo = StandInProcess(processInfo: StandInProcessInfo(environment: environment))
// doc example: Sources/OpenAIChat/ChatClient+Environment.swift
// OPENAI_BASE_URL=http://127.0.0.1:8000/v1 OPENAI_API_KEY=local ./agent
let client = try ChatClient(environment: ProcessInfo.processInfo.environment)
// end doc example
  return client
}

/// `ChatClient`'s example: what it printed.
func chatClientExample(environment: [String: String]) async throws -> String {
  let ProcessInfo = StandInProcess(processInfo: StandInProcessInfo(environment: environment))
  var printed = ""
  func print(_ text: String) { printed = text }
// doc example: Sources/OpenAIChat/ChatClient.swift
let client = try ChatClient(environment: ProcessInfo.processInfo.environment)  // OPENAI_API_KEY, …
let completion = try await client.complete(messages: [
  .system("You are a concise support agent."),
  .user("How do I reset my password?"),
])
print(completion.text ?? "")
// end doc example
  return printed
}

/// `complete(messages:)`'s example, in a traced step.
func tracedChatExample(client: ChatClient, prompt: String, question: String) async throws -> String {
// doc example: Sources/OpenAIChat/ChatClient.swift
let answer = try await trace("support_agent", type: .agent, inputs: ["question": question]) { _ in
  try await client.complete(messages: [.system(prompt), .user(question)]).text ?? ""
}
// end doc example
  return answer
}

/// `ChatCompletion`'s example: what it printed.
func completionExample(client: ChatClient) async throws -> String {
  var printed = ""
  func print(_ items: Any...) { printed = items.map { "\($0)" }.joined(separator: " ") }
// doc example: Sources/OpenAIChat/ChatCompletion.swift
let completion = try await client.complete(messages: [.user("Hi")])
print(completion.text ?? "", completion.usage?.totalTokens ?? 0)
// end doc example
  return printed
}

/// `ChatError`'s example: what it printed.
func chatErrorExample(client: ChatClient) async throws -> String {
  var printed = ""
  func print(_ text: String) { printed = text }
// doc example: Sources/OpenAIChat/ChatMessage.swift
let messages: [ChatMessage] = [
  .system("You are a helpful support agent."),
  .user("How do I reset my password?"),
]
// end doc example
// doc example: Sources/OpenAIChat/ChatError.swift
do {
  let completion = try await client.complete(messages: messages)
  print(completion.text ?? "")
} catch {
  if error.code == .rateLimited { try await Task.sleep(for: .seconds(error.retryAfterSeconds ?? 5)) }
  print("error: \(error)")
}
// end doc example
  return printed
}
