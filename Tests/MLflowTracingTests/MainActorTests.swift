import Foundation
import GitVersioning
import MLflowStore
import MLflowTracing
import Testing

/// What a `@MainActor` caller keeps that is not `Sendable`: only code isolated to the main actor
/// may touch it, so a closure that captures it compiles only if it runs there (without the
/// `isolation` parameters: "sending value of non-Sendable type … risks causing data races").
/// At run time `MainActor.assertIsolated` traps if a closure ran elsewhere. (Not the thread: on
/// Linux, once the main thread has handed the main queue to libdispatch, the main actor's jobs
/// run on its worker threads, one at a time.)
final class StepLog {
  var steps: [String] = []
}

@Suite("@MainActor callers: withGitModelVersioning and trace run their closures on the caller's actor")
struct MainActorTests {
  @Test("the closures of a @MainActor caller run on the main actor and mutate its non-Sendable state, with no hop")
  @MainActor
  func closuresStayOnTheCallersActor() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let log = StepLog()
    let traceID = await withGitModelVersioning(options: fixture.options) { context in
      MainActor.assertIsolated("withGitModelVersioning's closure runs on the caller's actor")
      log.steps.append("scope \(context.activeModel != nil)")
      return await trace("answer", type: .agent) { span in
        MainActor.assertIsolated("trace's closure runs on the caller's actor")
        log.steps.append("trace")
        await Task.yield()
        MainActor.assertIsolated("still on the main actor after a suspension")
        return span.traceID
      }
    }
    #expect(log.steps == ["scope true", "trace"])
    await flushTraces()
    #expect(try await fixture.store().trace(id: traceID).spans.map(\.name) == ["answer"])
  }
}
