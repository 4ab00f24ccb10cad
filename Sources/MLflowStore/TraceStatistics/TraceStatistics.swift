/// Which traces to summarize: those linked to one logged model (trace metadata
/// `mlflow.modelId`) in its experiment, optionally only those that started within a window.
///
/// # Usage
/// ```swift
/// let week = TraceStatisticsQuery(experimentID: "0", modelID: model.modelID, since: nowMillis - 7 * 86_400_000)
/// ```
package struct TraceStatisticsQuery: Sendable, Hashable {
  /// The experiment the traces are in.
  package var experimentID: String
  /// The logged model they are linked to.
  package var modelID: String
  /// Only traces whose request time is at or after this, in milliseconds since the Unix epoch.
  package var since: Int64?
  /// Only traces whose request time is before this, in milliseconds since the Unix epoch.
  package var until: Int64?

  package init(experimentID: String, modelID: String, since: Int64? = nil, until: Int64? = nil) {
    self.experimentID = experimentID
    self.modelID = modelID
    self.since = since
    self.until = until
  }
}

/// What a version's traces did: how many, how many failed, how long they took, the tokens they
/// used and what they cost — for all of them and per root span name — and the mean of each
/// feedback on them.
///
/// The figures are MLflow's own: the trace state (`ERROR` counts as an error), its execution
/// time, the token usage and cost MLflow sums over the trace's spans (`mlflow.trace.tokenUsage`,
/// `mlflow.trace.cost`; the `trace_info` columns in `mlflow.db`), the trace name (the root span's
/// name), and the numeric value MLflow gives each feedback assessment (see
/// `AssessmentValue.aggregate`).
///
/// # Usage
/// ```swift
/// let statistics = try await store.traceStatistics(TraceStatisticsQuery(experimentID: "0", modelID: id))
/// print(statistics.all.traces, statistics.all.errorRate ?? 0, statistics.all.latency.percentile(95) ?? 0)
/// for (name, feedback) in statistics.assessments { print(name, feedback.mean ?? 0, feedback.count) }
/// ```
package struct TraceStatistics: Sendable, Hashable {
  /// All the traces.
  package var all: TraceGroupStatistics
  /// The traces grouped by the name of their root span (MLflow's trace name); traces without a
  /// name are under `""`.
  package var byRootSpan: [String: TraceGroupStatistics]
  /// The valid feedback assessments on the traces, by assessment name: how many have a numeric
  /// value and their sum. Expectations, feedback that an override replaced (`valid` false) and
  /// feedback without a numeric value (an error, free text) are left out.
  package var assessments: [String: NumericSummary]

  package init(
    all: TraceGroupStatistics = TraceGroupStatistics(), byRootSpan: [String: TraceGroupStatistics] = [:],
    assessments: [String: NumericSummary] = [:]
  ) {
    self.all = all
    self.byRootSpan = byRootSpan
    self.assessments = assessments
  }
}

/// The figures of a group of traces.
package struct TraceGroupStatistics: Sendable, Hashable {
  /// How many traces.
  package var traces: Int
  /// How many ended in state `ERROR`.
  package var errors: Int
  /// The execution times of those that have one (a trace still in progress has none).
  package var latency: LatencyDistribution
  /// Token counts, over the traces that recorded them.
  package var tokens: UsageFigures
  /// Cost in US dollars, over the traces that recorded it.
  package var cost: UsageFigures

  package init(
    traces: Int = 0, errors: Int = 0, latency: LatencyDistribution = LatencyDistribution(),
    tokens: UsageFigures = UsageFigures(), cost: UsageFigures = UsageFigures()
  ) {
    self.traces = traces
    self.errors = errors
    self.latency = latency
    self.tokens = tokens
    self.cost = cost
  }

  /// `errors / traces`, or `nil` without traces.
  package var errorRate: Double? { traces > 0 ? Double(errors) / Double(traces) : nil }

  /// Both groups' traces together.
  package func merged(with other: TraceGroupStatistics) -> TraceGroupStatistics {
    TraceGroupStatistics(
      traces: traces + other.traces, errors: errors + other.errors, latency: latency.merged(with: other.latency),
      tokens: tokens.merged(with: other.tokens), cost: cost.merged(with: other.cost))
  }
}

/// Input, output and total figures of one kind (tokens or cost).
package struct UsageFigures: Sendable, Hashable {
  package var input: NumericSummary
  package var output: NumericSummary
  package var total: NumericSummary

  package init(input: NumericSummary = .init(), output: NumericSummary = .init(), total: NumericSummary = .init()) {
    self.input = input
    self.output = output
    self.total = total
  }

  /// `true` when no trace recorded any of them.
  package var isEmpty: Bool { input.count == 0 && output.count == 0 && total.count == 0 }

  func merged(with other: UsageFigures) -> UsageFigures {
    UsageFigures(
      input: input.merged(with: other.input), output: output.merged(with: other.output),
      total: total.merged(with: other.total))
  }
}

/// How many values were recorded and their sum; the mean follows.
package struct NumericSummary: Sendable, Hashable {
  package var count: Int
  package var sum: Double

  package init(count: Int = 0, sum: Double = 0) {
    self.count = count
    self.sum = sum
  }

  /// `sum / count`, or `nil` when nothing was recorded.
  package var mean: Double? { count > 0 ? sum / Double(count) : nil }

  /// One more value.
  package mutating func add(_ value: Double) {
    count += 1
    sum += value
  }

  func merged(with other: NumericSummary) -> NumericSummary {
    NumericSummary(count: count + other.count, sum: sum + other.sum)
  }
}
