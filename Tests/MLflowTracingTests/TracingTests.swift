import ChildProcess
import Foundation
import GitVersioning
import MLflowStore
import Testing
import TestSupport

@testable import MLflowTracing

@Suite("Traces are recorded, linked to the active version, and read by Python MLflow")
struct TracingTests {
  @Test("nested spans are stored with parent links, types, inputs, outputs and token usage; Python reads them")
  func nestedSpansReachPython() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let (traceID, modelID) = try await fixture.withVersion { context in
      (try await NestedSpans.record(), context.activeModel!.modelID)
    }
    await flushTraces()

    let stored = try await fixture.store().trace(id: traceID)
    #expect(stored.info.metadata[TraceInfo.modelIDKey] == modelID)
    #expect(stored.info.tags[TraceInfo.traceNameKey] == "answer")
    #expect(stored.info.metadata["mlflow.source.git.branch"] == "main")
    let usage = try JSONSerialization.jsonObject(with: Data((stored.info.metadata["mlflow.trace.tokenUsage"] ?? "").utf8))
    #expect(usage as? [String: Int] == ["input_tokens": 12, "output_tokens": 5, "total_tokens": 17])
    #expect(stored.info.requestPreview == #"{"question":"What is MLflow?"}"#)
    #expect(stored.info.state == .ok)

    try await NestedSpans.expectPythonReads(traceID: traceID, modelID: modelID, in: fixture)
  }

  @Test("a thrown error marks the span and the trace ERROR, records an exception event, and is rethrown")
  func errorsAreRecordedAndRethrown() async throws {
    struct ModelUnavailable: Error {}
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let traceID = try await fixture.withVersion { _ in
      let box = Box()
      await #expect(throws: ModelUnavailable.self) {
        try await trace("answer", type: .agent) { root in
          box.value = root.traceID
          try await trace("chat", type: .chatModel) { _ async throws in throw ModelUnavailable() }
        }
      }
      return box.value
    }
    await flushTraces()
    let stored = try await fixture.store().trace(id: traceID)
    #expect(stored.info.state == .error)
    #expect(stored.spans.map(\.status.code) == [.error, .error])
    #expect(stored.spans[1].events.first?.name == "exception")
    #expect(stored.spans[1].events.first?.attributes["exception.type"]?.contains("ModelUnavailable") == true)
  }

  @Test("concurrent tasks record separate traces; child tasks nest under the span that started them")
  func concurrentTasksAndChildTasks() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let traceIDs = try await fixture.withVersion { _ in
      try await withThrowingTaskGroup(of: String.self) { group in
        for request in 0..<8 {
          group.addTask {
            try await trace("request-\(request)", type: .chain) { root in
              async let first: Void = trace("tool-a", type: .tool) { _ in try await Task.sleep(for: .milliseconds(1)) }
              async let second: Void = trace("tool-b", type: .tool) { _ in try await Task.sleep(for: .milliseconds(1)) }
              _ = try await (first, second)
              return root.traceID
            }
          }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
    }
    await flushTraces()
    #expect(Set(traceIDs).count == 8)
    for traceID in traceIDs {
      let stored = try await fixture.store().trace(id: traceID)
      #expect(stored.spans.count == 3)
      #expect(stored.spans.dropFirst().allSatisfy { $0.parentSpanID == stored.spans[0].spanID })
      #expect(Set(stored.spans.dropFirst().map(\.name)) == ["tool-a", "tool-b"])
    }
  }

  @Test("manual spans: startSpan nests under the current span, withSpan nests others under it, an open child is closed with the root")
  func manualSpans() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let traceID = try await fixture.withVersion { _ in
      let root = startSpan("stream", type: .chatModel, inputs: ["prompt": "hi"])
      let child = withSpan(root) { startSpan("chunk", type: .parser) }
      let forgotten = startSpan("never-ended", parent: root)
      child.setOutputs("h")
      child.end()
      _ = forgotten
      root.setOutputs("hi there")
      root.end()
      root.end()  // a second end changes nothing
      return root.traceID
    }
    await flushTraces()
    let stored = try await fixture.store().trace(id: traceID)
    #expect(stored.spans.map(\.name) == ["stream", "chunk", "never-ended"])
    #expect(stored.spans[2].status.code == .unset)
    #expect(stored.spans[2].endTime == stored.spans[0].endTime)
    #expect(stored.info.responsePreview == #""hi there""#)
  }

  @Test("a span started under a root that has ended begins a new trace")
  func finishedTraceIsNotReused() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let (first, second) = try await fixture.withVersion { _ in
      let root = startSpan("first")
      root.end()
      let late = startSpan("late", parent: root)
      late.end()
      return (root.traceID, late.traceID)
    }
    await flushTraces()
    #expect(first != second)
    #expect(try await fixture.store().trace(id: second).spans.map(\.name) == ["late"])
  }

  @Test("a finished trace lets go of its spans: none stays in memory once the trace is handed to the exporter")
  func finishedTracesAreFreed() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let spans = try await fixture.withVersion { _ in
      let root = startSpan("root")
      let child = withSpan(root) { startSpan("child") }
      let forgotten = startSpan("never-ended", parent: root)
      child.end()
      root.end()
      return [root, child, forgotten].map(WeakSpan.init)
    }
    await flushTraces()
    #expect(spans.allSatisfy { $0.span == nil }, "\(spans.filter { $0.span != nil }.count) of 3 spans still alive")
  }

  @Test("searchTraces and getTrace read the active version's traces")
  func queries() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    try await fixture.withVersion { context in
      var ids: [String] = []
      for question in ["one", "two", "three"] {
        ids.append(trace("answer", inputs: question) { span in span.traceID })
      }
      let found = try await searchTraces()
      #expect(Set(found.map(\.traceID)) == Set(ids))
      #expect(found.allSatisfy { $0.metadata[TraceInfo.modelIDKey] == context.activeModel?.modelID })
      let trace = try await getTrace(ids[0])
      #expect(trace.spans.first?.inputs == #""one""#)
    }
  }

  @Test("a Python program started with `mlflow-git exec` links its traces to the same version")
  func pythonChildLinksToSameVersion() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let modelID = try await fixture.withVersion { context in context.activeModel!.modelID }
    var environment = fixture.environment
    environment["PATH"] = (try await ReferenceMLflow.pythonPath() as NSString).deletingLastPathComponent + ":" + (environment["PATH"] ?? "")
    let output = try await ChildProcess.runLimited(
      "sh",
      arguments: [
        "-c", "cd \"$1\" && shift && exec \"$@\"", "exec", fixture.repo, BuiltProducts.executable(named: "mlflow-git"),
        "exec", "--", "python", "-c",
        "import mlflow\n@mlflow.trace\ndef answer(q):\n    return q.upper()\nanswer('hi')\n",
      ], environment: environment)
    #expect(output.succeeded, "\(output.standardErrorText)")
    let page = try await fixture.store().searchTraces(experimentIDs: ["0"], modelID: modelID)
    #expect(page.traces.count == 1)
    #expect(page.traces.first?.tags[TraceInfo.traceNameKey] == "answer")
  }
}

/// A span that is not kept alive by being referred to.
final class WeakSpan: Sendable {
  weak let span: LiveSpan?

  init(_ span: LiveSpan) { self.span = span }
}

/// A mutable slot for a value set inside a closure.
final class Box: @unchecked Sendable {
  var value = ""
}

@Suite("A traced closure's return value")
struct ReturnValueTests {
  @Test("an Encodable return value becomes the span's outputs unless the closure set them")
  func returnValueIsOutputs() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let (automaticID, sum, explicitID) = try await fixture.withVersion { _ in
      var automaticID = ""
      let sum = trace("add", type: .tool, inputs: ["a": 1, "b": 2]) { span -> Int in
        automaticID = span.traceID
        return 3
      }
      var explicitID = ""
      _ = try await trace("explicit") { span -> String in
        explicitID = span.traceID
        span.setOutputs("kept")
        try await Task.sleep(for: .milliseconds(1))
        return "returned"
      }
      return (automaticID, sum, explicitID)
    }
    await flushTraces()
    #expect(sum == 3)
    #expect(try await fixture.store().trace(id: automaticID).spans[0].outputs == "3")
    #expect(try await fixture.store().trace(id: explicitID).spans[0].outputs == #""kept""#)
  }
}
