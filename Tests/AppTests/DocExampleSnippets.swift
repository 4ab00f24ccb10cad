// The usage examples of the app products' `///` comments (GitVersioning, MLflowTracing), verbatim,
// as an app writes them: each sits between a `doc example` line naming its source file and an
// `end doc example` line, at the left margin as the comment shows it. MLflowTracingTests'
// DocExampleTests checks that each is its comment's example character for character (AppTests
// imports only the products, so it cannot share TestSupport's reader); DocExampleRunTests runs them.

import GitVersioning
import MLflowTracing

/// `enableGitModelVersioning()`'s example. Compiled, and not run: with no options it versions
/// the current directory, which for the tests is the package's own checkout
/// (DocExampleRunTests runs the same call with options pointing at a scratch repository).
func enableExample() async -> String {
// doc example: Sources/GitVersioning/EnableGitModelVersioning.swift
let context = await enableGitModelVersioning()
print(context.info?.branch ?? "-", context.activeModel?.modelID ?? "not versioned")
// end doc example
  return context.activeModel?.modelID ?? ""
}

/// `withGitModelVersioning`'s example; compiled, not run, for the same reason.
func withVersioningExample(agent: Agent, question: String) async throws {
// doc example: Sources/GitVersioning/EnableGitModelVersioning.swift
let answer = try await withGitModelVersioning { context in
  try await agent.answer(question)   // traces link to context.activeModel
}
print(answer)
// end doc example
}

/// `GitVersioningOptions.init`'s example: the agent's answer, in the version's scope.
func optionsExample(appDirectory: String, agent: Agent, question: String) async throws -> String {
// doc example: Sources/GitVersioning/GitVersioningOptions.swift
let options = GitVersioningOptions(directory: appDirectory, diffExclusions: [".env", "secrets/**"])
let answer = try await withGitModelVersioning(options: options) { _ in try await agent.answer(question) }
// end doc example
  return answer
}

/// `searchTraces()`'s example; compiled, not run: it enables versioning for the current directory.
func searchTracesExample() async throws -> Int {
  var found = 0
// doc example: Sources/MLflowTracing/TraceQueries.swift
await enableGitModelVersioning()
for info in try await searchTraces() { print(info.traceID, info.state) }
// end doc example
  found += 1
  return found
}

/// `flushTraces()`'s example: the counts it read.
func flushTracesExample() async -> TraceExportCounts {
// doc example: Sources/MLflowTracing/TraceQueries.swift
let counts = await flushTraces()
if counts.journaled > 0 { print("\(counts.journaled) traces wait for the store") }
if counts.dropped > 0 { print("\(counts.dropped) traces were lost; see the warning") }
print("\(counts.pending) still queued, \(counts.spilled) spilled to the journal")
// end doc example
  return counts
}

/// `getTrace(_:)`'s example: the spans it printed, as `name type parent`.
func getTraceExample(_ traceID: String) async throws -> [String] {
  var printed: [String] = []
  func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }
// doc example: Sources/MLflowTracing/TraceQueries.swift
let trace = try await getTrace(traceID)
for span in trace.spans { print(span.name, span.type, span.parentSpanID ?? "root") }
// end doc example
  return printed
}

/// The async `trace`'s example: the answer, from a chat model that repeats the last message.
func traceExample(question: String, chat: EchoChat) async throws -> String {
  let messages = [question]
// doc example: Sources/MLflowTracing/Tracing.swift
let answer = try await trace("answer", type: .agent, inputs: ["question": question]) { span in
  let reply = try await chat.complete(messages)
  span.setOutputs(reply.text)
  return reply.text
}
// end doc example
  return answer
}

/// The async Encodable `trace`'s example: the documents the index found.
func traceEncodableExample(query: String, index: AsyncBookIndex) async throws -> [Document] {
// doc example: Sources/MLflowTracing/Tracing.swift
let documents = try await trace("retrieve", type: .retriever, inputs: query) { _ in
  try await index.search(query)          // [Document], Encodable: stored as the outputs
}
// end doc example
  return documents
}

/// The synchronous `trace`'s example.
func syncTraceExample(question: String, template: Template) -> String {
// doc example: Sources/MLflowTracing/Tracing.swift
let prompt = trace("build_prompt", type: .parser, inputs: question) { span in
  template.render(question)
}
// end doc example
  return prompt
}

/// The synchronous Encodable `trace`'s example.
func syncTraceEncodableExample(question: String, template: Template) -> String {
// doc example: Sources/MLflowTracing/Tracing.swift
let prompt = trace("build_prompt", type: .parser, inputs: question) { _ in template.render(question) }
// end doc example
  return prompt
}

/// `startSpan`'s example: a streamed reply, its chunks joined.
func startSpanExample(request: [String: String], stream: AsyncThrowingStream<String, any Error>) async throws -> (String, String) {
  var text = ""
// doc example: Sources/MLflowTracing/Tracing.swift
let span = startSpan("stream", type: .chatModel, inputs: request)
for try await chunk in stream { text += chunk }
span.setOutputs(text)
span.end()
// end doc example
  return (span.traceID, text)
}

/// `LiveSpan`'s example: the span it ended, and the titles it recorded.
func liveSpanExample(query: String, index: BookIndex) -> (LiveSpan, [String]) {
// doc example: Sources/MLflowTracing/LiveSpan.swift
let span = startSpan("retrieve", type: .retriever, inputs: ["query": query])
let documents = index.search(query)
span.setOutputs(documents.map(\.title))
span.end()
// end doc example
  return (span, documents.map(\.title))
}

/// `TokenUsage`'s example, on a chat span.
func tokenUsageExample(reply: UsageReply) -> String {
  let span = startSpan("chat", type: .chatModel)
// doc example: Sources/MLflowTracing/TokenUsage.swift
span.setTokenUsage(TokenUsage(inputTokens: reply.usage.promptTokens, outputTokens: reply.usage.completionTokens))
// end doc example
  span.end()
  return span.traceID
}

/// The examples' `agent`: answers in a traced step.
struct Agent {
  @discardableResult
  func answer(_ question: String) async throws -> String {
    trace("agent", type: .agent, inputs: question) { _ in "answered" }
  }
}

/// The examples' `chat`: a chat model whose reply repeats the last message.
struct EchoChat {
  struct Reply { var text: String }
  func complete(_ messages: [String]) async throws -> Reply { Reply(text: messages.last ?? "") }
}

/// The examples' `template`.
struct Template {
  func render(_ question: String) -> String { "Answer briefly: \(question)" }
}

/// What the examples' indexes find.
struct Document: Encodable, Equatable {
  var title: String
}

/// The `LiveSpan` example's `index`: titles that contain the query.
struct BookIndex {
  var titles: [String]
  func search(_ query: String) -> [Document] { titles.filter { $0.contains(query) }.map(Document.init) }
}

/// The async `trace` example's `index`.
struct AsyncBookIndex {
  var titles: [String]
  func search(_ query: String) async throws -> [Document] { BookIndex(titles: titles).search(query) }
}

/// The `TokenUsage` example's `reply`: counts as an OpenAI-compatible API reports them.
struct UsageReply {
  struct Usage { var promptTokens: Int; var completionTokens: Int }
  var usage: Usage
}
