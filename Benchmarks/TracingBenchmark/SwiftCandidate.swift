import BenchmarkSupport
import MLflowTracing

/// Times the Swift agent step in this process: untraced, traced (async or synchronous
/// closures), then `flushTraces()`; the traces export in the background meanwhile, off the
/// timed caller path, and the flush keeps the queue from growing between rounds.
struct SwiftCandidate {
  let count: LinkedTraceCount

  enum Closures { case async, sync }

  func round(traces: Int, closures: Closures) async -> TracingRound {
    let tracesBefore = count.traces()
    let spansBefore = count.spans()
    var checksum = 0
    let start = monotonicSeconds()
    for index in 0..<traces { checksum &+= AgentStep.untraced("question \(index)").count }
    let tracedStart = monotonicSeconds()
    switch closures {
    case .async:
      for index in 0..<traces { checksum &+= await AgentStep.traced("question \(index)").count }
    case .sync:
      for index in 0..<traces { checksum &+= AgentStep.tracedSync("question \(index)").count }
    }
    let tracedEnd = monotonicSeconds()
    let counts = await flushTraces()
    let exportedEnd = monotonicSeconds()
    if checksum == 0 || counts.journaled + counts.dropped > 0 {
      print("warning: \(counts.journaled) traces journaled, \(counts.dropped) dropped (checksum \(checksum))")
    }
    return TracingRound(
      traces: traces, untracedSeconds: tracedStart - start, tracedSeconds: tracedEnd - tracedStart,
      exportedSeconds: exportedEnd - tracedStart, storedTraces: count.traces() - tracesBefore,
      storedSpans: count.spans() - spansBefore)
  }

  /// Opens the store and resolves the experiment, as a running app has.
  func warmUp(traces: Int) async {
    for index in 0..<traces { _ = await AgentStep.traced("warm-up \(index)") }
    await flushTraces()
  }
}
