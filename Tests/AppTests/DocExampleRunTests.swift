import Foundation
import GitVersioning
import MLflowTracing
import OpenAIChat
import Testing

@Suite("The app products' doc examples run in a version's scope, and record what they say")
struct DocExampleRunTests {
  @Test("the tracing and chat examples record their spans in the version's store, where getTrace and searchTraces find them")
  func tracingExamples() async throws {
    let repository = try await ScratchRepository()
    defer { repository.remove() }
    let server = try await ChatStandIn(key: "sk-doc-\(UUID().uuidString)")
    defer { server.stop() }
    let client = try ChatClient(environment: ["OPENAI_BASE_URL": server.baseURL, "OPENAI_API_KEY": server.key])
    let options = GitVersioningOptions(
      directory: repository.path, environment: repository.environment, indexVerification: .never)
    try await withGitModelVersioning(options: options) { context in
      let modelID = try #require(context.activeModel?.modelID, "versioning is on: \(String(describing: context.problem))")
      let before = await flushTraces()  // the counts are the process's: other suites' traces count too
      let answer = try await traceExample(question: "What is MLflow?", chat: EchoChat())
      #expect(answer == "What is MLflow?")
      let books = ["Swift concurrency", "MLflow tracing", "Git internals"]
      let documents = try await traceEncodableExample(query: "MLflow", index: AsyncBookIndex(titles: books))
      #expect(documents == [Document(title: "MLflow tracing")])
      #expect(syncTraceExample(question: "Why?", template: Template()) == "Answer briefly: Why?")
      #expect(syncTraceEncodableExample(question: "How?", template: Template()) == "Answer briefly: How?")
      let stream = AsyncThrowingStream<String, any Error> { continuation in
        for chunk in ["Hel", "lo"] { continuation.yield(chunk) }
        continuation.finish()
      }
      let (streamTraceID, text) = try await startSpanExample(request: ["q": "hi"], stream: stream)
      #expect(text == "Hello")
      let (span, titles) = liveSpanExample(query: "Git", index: BookIndex(titles: books))
      #expect(titles == ["Git internals"])
      let usageTraceID = tokenUsageExample(reply: UsageReply(usage: .init(promptTokens: 12, completionTokens: 5)))
      let chatAnswer = try await tracedChatExample(client: client, prompt: "Be brief.", question: "What is MLflow?")
      #expect(chatAnswer == "Stand-in answer: to 'What is MLflow?', go to Settings and follow the steps.")

      let counts = await flushTracesExample()
      #expect(counts.stored >= before.stored + 8, "the examples' eight traces are stored: \(counts)")
      #expect(counts.pending == 0, "nothing left queued: \(counts)")

      let linked = try await searchTraces()
      #expect(linked.count == 8, "one trace per example: \(linked.map(\.traceID))")
      let chat = try #require(linked.first { $0.tags["mlflow.traceName"] == "support_agent" })
      let chatSpans = try await getTrace(chat.traceID).spans
      #expect(chatSpans.map(\.type).contains(.chatModel), "the client's call is a CHAT_MODEL span in the trace")
      #expect(linked.allSatisfy { $0.metadata["mlflow.modelId"] == modelID })

      let streamed = try await getTraceExample(streamTraceID)
      #expect(streamed == ["stream CHAT_MODEL root"])
      let retrieved = try await getTrace(span.traceID)
      #expect(retrieved.spans.map(\.name) == ["retrieve"])
      #expect(retrieved.spans.first?.attributes["mlflow.spanOutputs"] == #"["Git internals"]"#)
      let usageTrace = try await getTrace(usageTraceID)
      let usage = try #require(usageTrace.spans.first?.attributes["mlflow.chat.tokenUsage"])
      #expect(usage == #"{"input_tokens":12,"output_tokens":5,"total_tokens":17}"#)
    }
  }

  @Test("GitVersioningOptions' example runs the agent in the scratch repository's version, which its trace links to")
  func optionsExampleRuns() async throws {
    let repository = try await ScratchRepository()
    defer { repository.remove() }
    let answer = try await optionsExample(appDirectory: repository.path, agent: Agent(), question: "Is it versioned?")
    #expect(answer == "answered")
    let options = GitVersioningOptions(
      directory: repository.path, environment: repository.environment, indexVerification: .never)
    let (modelID, linked) = try await withGitModelVersioning(options: options) { context in
      (context.activeModel?.modelID, try await searchTraces())
    }
    #expect(modelID?.hasPrefix("m-") == true)
    #expect(linked.map(\.metadata["mlflow.modelId"]) == [modelID], "the agent's one trace, linked to the version")
  }
}
