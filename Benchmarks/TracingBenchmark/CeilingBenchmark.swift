import BenchmarkSupport
import GitVersioning
import MLflowStore
import MLflowTracing

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one core can do, part by part, each measured alone in this process (CPU time, so a
/// busy machine inflates it less than wall time):
///
/// - the caller's path: the agent step traced on one thread (spans, the trace's record, the
///   hand-over to the exporter), the thread's CPU per trace, with the exporter storing in the
///   background on other threads;
/// - the store: `SQLiteTrackingStore.logTraces` of copies of a trace the exporter stored, in
///   batches of 500 into a database already holding `prefill` traces, the process's CPU per
///   trace (nothing else runs then).
///
/// The exporter's own work (taking batches, reading records back, re-linking) is what the
/// load run's CPU per trace has beyond these two.
struct CeilingBenchmark {
  let setup: LoadSetup
  let traces: Int
  let rounds: Int

  func run() async -> Bool {
    say("What one core does, part by part: \(rounds) rounds × \(traces) traces (root + 2 spans); medians")
    let repository = setup.repository("ceiling", database: true)
    let database = repository + "/mlflow.db"
    let context = await enableGitModelVersioning(
      options: GitVersioningOptions(directory: repository, environment: setup.environment, indexVerification: .never))
    guard context.activeModel != nil else {
      say("Git versioning did not start: \(String(describing: context.problem))")
      return false
    }
    for index in 0..<200 { _ = AgentStep.tracedSync("warm-up \(index)") }
    await flushTraces()
    var caller = Measurement("caller path: the agent step traced (3 spans), per trace")
    for _ in 0..<rounds {
      let start = Self.threadCPU()
      for index in 0..<traces { _ = AgentStep.tracedSync("question \(index)") }
      caller.add([(Self.threadCPU() - start) / Double(traces)])
      await flushTraces(timeout: .seconds(600))
    }

    let store: SQLiteTrackingStore
    let template: Trace
    do {
      store = try SQLiteTrackingStore(databasePath: database, options: .init(createIfMissing: false))
      let id = GrowthBenchmark.text("SELECT request_id FROM trace_info ORDER BY timestamp_ms DESC LIMIT 1", in: database)
      template = try await store.trace(id: id)
    } catch {
      say("could not read a stored trace back: \(error)")
      return false
    }
    var storing = Measurement("store: logTraces, batches of 500, per trace")
    for _ in 0..<rounds {
      let batches = stride(from: 0, to: traces, by: 500).map { start in
        (start..<min(traces, start + 500)).map { _ in Self.copy(of: template) }
      }
      let start = Producer.cpuSeconds()
      for batch in batches {
        do { try await store.logTraces(batch) } catch {
          say("logTraces failed: \(error)")
          return false
        }
      }
      storing.add([(Producer.cpuSeconds() - start) / Double(traces)])
    }
    for measurement in [caller, storing] {
      say(
        "  " + measurement.name.padding(to: 56) + formatDuration(measurement.median).padding(to: 10)
          + "one core: \(Int((1 / measurement.median).rounded())) traces/s")
    }
    return true
  }

  /// `trace` under new trace and span IDs, as the exporter sends a new trace (without the tags
  /// and metadata the store adds).
  static func copy(of trace: Trace) -> Trace {
    var copy = trace
    let traceID = TraceInfo.newTraceID()
    var spanIDs: [String: String] = [:]
    for span in trace.spans { spanIDs[span.spanID] = Span.newSpanID() }
    copy.info.traceID = traceID
    copy.info.tags = trace.info.tags.filter { !$0.key.hasPrefix("mlflow.artifactLocation") && $0.key != "mlflow.trace.spansLocation" }
    copy.info.metadata["mlflow.trace.infoFinalized"] = nil
    copy.spans = trace.spans.map { span in
      var renamed = span
      renamed.traceID = traceID
      renamed.spanID = spanIDs[span.spanID]!
      renamed.parentSpanID = span.parentSpanID.map { spanIDs[$0]! }
      renamed.attributes["mlflow.traceRequestId"] = nil
      renamed.attributes["mlflow.spanType"] = nil
      return renamed
    }
    return copy
  }

  /// The calling thread's CPU time so far.
  static func threadCPU() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}
