import GitVersioning
import MLflowTracing
import Testing

@Suite("The app products' doc examples run in a version's scope, and record what they say")
struct DocExampleRunTests {
  @Test("the tracing examples record their spans in the version's store, where getTrace and searchTraces find them")
  func tracingExamples() async throws {
    let repository = try await ScratchRepository()
    defer { repository.remove() }
    let options = GitVersioningOptions(
      directory: repository.path, environment: repository.environment, indexVerification: .never)
    try await withGitModelVersioning(options: options) { context in
      let modelID = try #require(context.activeModel?.modelID, "versioning is on: \(String(describing: context.problem))")
      let before = await flushTraces()  // the counts are the process's, other suites' traces included
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

      let counts = await flushTracesExample()
      #expect(counts.stored >= before.stored + 7, "the examples' seven traces are stored: \(counts)")
      #expect(counts.pending == 0 && counts.dropped == before.dropped && counts.journaled == before.journaled)

      let linked = try await searchTraces()
      #expect(linked.count == 7, "one trace per example: \(linked.map(\.traceID))")
      #expect(linked.allSatisfy { $0.metadata["mlflow.modelId"] == modelID })

      let streamed = try await getTraceExample(streamTraceID)
      #expect(streamed == ["stream CHAT_MODEL root"])
      let retrieved = try await getTrace(span.traceID)
      #expect(retrieved.spans.map(\.name) == ["retrieve"])
      #expect(retrieved.spans.first?.attributes["mlflow.spanOutputs"] == #"["Git internals"]"#)
      let chat = try await getTrace(usageTraceID)
      let usage = try #require(chat.spans.first?.attributes["mlflow.chat.tokenUsage"])
      #expect(usage == #"{"input_tokens":12,"output_tokens":5,"total_tokens":17}"#)
    }
  }

  @Test("withGitModelVersioning's example body, in a scope with options for a scratch repository, links its trace to the version")
  func enableExampleCall() async throws {
    let repository = try await ScratchRepository()
    defer { repository.remove() }
    let options = GitVersioningOptions(
      directory: repository.path, environment: repository.environment, indexVerification: .never)
    let modelID = try await withGitModelVersioning(options: options) { context in
      try await Agent().answer("Is it versioned?")
      return try #require(context.activeModel?.modelID)
    }
    #expect(modelID.hasPrefix("m-"))
    let linked = try await withGitModelVersioning(options: options) { _ in try await searchTraces() }
    #expect(linked.map(\.metadata["mlflow.modelId"]) == [modelID], "the Agent's one trace, linked to the version")
  }
}
