// The customer support agent, in Swift: answers a question with an OpenAI-compatible chat
// model, traced in MLflow and linked to the Git version of the code that ran.
//
//   OPENAI_API_KEY=… swift run SupportAgent "How do I share a folder?"
//   OPENAI_BASE_URL=http://127.0.0.1:8000/v1 OPENAI_API_KEY=local swift run SupportAgent
//
// Exit status: 0 answered, 1 the chat call failed (the message says why), 2 wrong usage.

import GitVersioning
import MLflowTracing
import OpenAIChat

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

let usage = """
  usage: SupportAgent [QUESTION…]

  Answers a customer's question (default: "\(SupportAgent.defaultQuestion)") with a chat model
  and records the call as an MLflow trace linked to this repository's Git version.

  environment:
    OPENAI_API_KEY    the API key (required)
    OPENAI_BASE_URL   an OpenAI-compatible API (default https://api.openai.com/v1)
    OPENAI_MODEL      the model (default \(ChatClient.defaultModel))
    OPENAI_TIMEOUT    seconds one call may take (default 60)
    MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME, …  where traces go, as for MLflow
  """

/// Writes `text` to standard error.
func printError(_ text: String) {
  let bytes = Array(text.utf8)
  _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// Says what failed and exits with `status` (the recorded traces are flushed at exit).
func fail(_ message: String, status: Int32) -> Never {
  printError("SupportAgent: error: \(message)\n")
  exit(status)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains(where: { $0 == "-h" || $0 == "--help" }) {
  print(usage)
  exit(0)
}
if let option = arguments.first(where: { $0.hasPrefix("-") && $0 != "--" }) {
  printError("SupportAgent: unknown option '\(option)'\n\(usage)\n")
  exit(2)
}
let words = arguments.filter { $0 != "--" }
let question = words.isEmpty ? SupportAgent.defaultQuestion : words.joined(separator: " ")

let context = await enableGitModelVersioning()
let versionLine = VersionLine.text(for: context)

let chat: ChatClient
do {
  chat = try ChatClient(environment: ProcessInfo.processInfo.environment)
} catch {
  print(versionLine)
  fail(error.description, status: 1)
}

do {
  let answer = try await SupportAgent(chat: chat).answer(question)
  print(answer)
  print(versionLine)
} catch {
  print(versionLine)
  fail(error.description, status: 1)
}
// No flushTraces() needed: MLflowTracing stores the queued traces when the process exits.
