// What an app writes: only the library products, and the README's Swift snippets verbatim. Each
// snippet sits between a `README begin` line (naming the import line the README's block starts
// with) and a `README end` line, at the left margin as in the README; ReadmeSnippetTests checks
// that README.md holds each one character for character, so the README cannot drift from code
// that compiles.

import GitVersioning
import MLflowTracing

/// The README's "Swift apps" snippet. Compiled, and not run here: with no options it versions
/// the current directory, which for the tests is the package's own checkout (the tests run it
/// with options pointing at a scratch repository: ``tracingSnippet(question:template:client:)``).
func swiftAppsSnippet() async -> [String: String] {
// README begin: import GitVersioning
let context = await enableGitModelVersioning()          // or withGitModelVersioning { context in … }
print(context.info?.displayName ?? "unversioned", context.activeModel?.modelID ?? "-")
let child = context.environment                          // MLFLOW_ACTIVE_MODEL_ID, _TRACKING_URI, _EXPERIMENT_ID
// README end
  return child
}

/// The README's "Tracing" snippet, run inside a version's scope by ReadmeSnippetTests.
func tracingSnippet(question: String, template: PromptTemplate, client: CannedChat) async throws -> (String, Int) {
// README begin: import MLflowTracing
let answer = try await trace("support_agent", type: .agent, inputs: ["question": question]) { span in
  let prompt = trace("build_prompt", type: .parser) { _ in template.render(question) }  // returned value = outputs
  let reply = try await trace("chat", type: .chatModel, inputs: prompt) { chat in
    let reply = try await client.complete(prompt)
    chat.setTokenUsage(TokenUsage(inputTokens: reply.promptTokens, outputTokens: reply.completionTokens))
    return reply
  }
  span.setOutputs(reply.text)
  return reply.text
}
let linked = try await searchTraces()        // this version's traces, like mlflow.search_traces(model_id=)
// README end
  return (answer, linked.count)
}

/// The snippet's `template`: an app's prompt template.
struct PromptTemplate {
  func render(_ question: String) -> String { "Answer briefly: \(question)" }
}

/// The snippet's `client`: a chat model that answers from a script, with the token counts an
/// OpenAI-compatible server reports (the OpenAIChat client itself is tested against a stand-in
/// server in SupportAgentTests).
struct CannedChat {
  struct Reply: Encodable {
    var text: String
    var promptTokens: Int
    var completionTokens: Int
  }

  func complete(_ prompt: String) async throws -> Reply {
    Reply(text: "A platform for the ML lifecycle.", promptTokens: prompt.split(separator: " ").count, completionTokens: 6)
  }
}

