/// One candidate's round: N agent steps untraced, the same N traced (the caller's path), and
/// the time from the first traced step until all N traces were in `mlflow.db`, with the
/// traces and spans counted there afterwards.
struct TracingRound: Sendable {
  var traces: Int
  var untracedSeconds: Double
  var tracedSeconds: Double
  /// From the first traced step until the flush returned (every trace exported).
  var exportedSeconds: Double
  /// Traces and spans linked to the model that this round added to `mlflow.db`.
  var storedTraces: Int
  var storedSpans: Int

  /// What tracing adds to the caller, per span.
  var overheadPerSpan: Double {
    (tracedSeconds - untracedSeconds) / Double(traces * AgentStep.spans)
  }

  /// Traces per second into `mlflow.db`.
  var throughput: Double { Double(traces) / exportedSeconds }

  /// `nil` when every trace and span is in the database; otherwise what is missing.
  var shortfall: String? {
    guard storedTraces != traces || storedSpans != traces * AgentStep.spans else { return nil }
    return "\(storedTraces) of \(traces) traces and \(storedSpans) of \(traces * AgentStep.spans) spans in mlflow.db"
  }
}
