package import ChildProcess
import Foundation
import Synchronization

extension ChildProcess {
  /// How many slow child processes (Python, `mlflow`, `mlflow-git`, the example, `initdb`…) the
  /// test process runs at once: one per core.
  ///
  /// ``ChildProcess/runAsync(_:arguments:environment:standardInput:outputLimit:)`` frees the
  /// cooperative threads, so nothing but this limit keeps every test's Python from starting at
  /// once: dozens of interpreters on two cores would make each of them, and every time a test
  /// measures, many times slower.
  package static let testProcessLimit = max(2, ProcessInfo.processInfo.activeProcessorCount)

  /// ``ChildProcess/runAsync(_:arguments:environment:standardInput:outputLimit:)`` once one of
  /// the ``testProcessLimit`` slots is free (waiting suspends the task; no thread blocks). For
  /// children that take CPU for more than a few milliseconds; never hold a slot while waiting
  /// for another child that needs one.
  ///
  /// ```swift
  /// let output = try await ChildProcess.runLimited(python, arguments: ["-c", code], environment: environment)
  /// ```
  package static func runLimited(
    _ executable: String, arguments: [String], environment: [String: String]? = nil, standardInput: [UInt8]? = nil,
    outputLimit: Int = .max
  ) async throws(ChildProcessError) -> Output {
    try await runLimitedTimed(
      executable, arguments: arguments, environment: environment, standardInput: standardInput,
      outputLimit: outputLimit
    ).output
  }

  /// ``runLimited(_:arguments:environment:standardInput:outputLimit:)`` that also tells how long
  /// the child ran, from its start to its exit (the wait for a slot left out), for tests that
  /// check how fast a program gives up.
  package static func runLimitedTimed(
    _ executable: String, arguments: [String], environment: [String: String]? = nil, standardInput: [UInt8]? = nil,
    outputLimit: Int = .max
  ) async throws(ChildProcessError) -> (output: Output, elapsed: Duration) {
    await testProcessSlots.acquire()
    defer { testProcessSlots.release() }
    let started = ContinuousClock.now
    let output = try await runAsync(
      executable, arguments: arguments, environment: environment, standardInput: standardInput,
      outputLimit: outputLimit)
    return (output, ContinuousClock.now - started)
  }
}

private let testProcessSlots = AsyncSlots(ChildProcess.testProcessLimit)

/// A counting semaphore whose waiters are suspended tasks, served first come, first served.
private final class AsyncSlots: Sendable {
  private struct State {
    var free: Int
    var waiting: [CheckedContinuation<Void, Never>] = []
  }
  private let state: Mutex<State>

  init(_ count: Int) { state = Mutex(State(free: count)) }

  func acquire() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let now = state.withLock { state in
        if state.free > 0 {
          state.free -= 1
          return true
        }
        state.waiting.append(continuation)
        return false
      }
      if now { continuation.resume() }
    }
  }

  func release() {
    let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
      if state.waiting.isEmpty {
        state.free += 1
        return nil
      }
      return state.waiting.removeFirst()
    }
    next?.resume()
  }
}
