/// Computes ``TraceStatistics`` one trace at a time, for a store that cannot aggregate where the
/// traces are (a tracking server's REST API returns trace infos, page by page). Gives the same
/// figures as ``SQLiteTrackingStore``'s SQL over the same traces.
///
/// # Usage
/// ```swift
/// var builder = TraceStatisticsBuilder()
/// for info in page.traces { builder.add(info, assessments: []) }
/// let statistics = builder.statistics
/// ```
package struct TraceStatisticsBuilder: Sendable {
  /// One assessment on a trace, as far as statistics need it.
  package struct Assessment: Sendable {
    package var name: String
    /// `true` for feedback, `false` for an expectation.
    package var isFeedback: Bool
    /// `false` once an override replaced it.
    package var isValid: Bool
    /// Its value; `nil` when it has none (feedback that records an error).
    package var value: JSONValue?

    package init(name: String, isFeedback: Bool, isValid: Bool, value: JSONValue?) {
      self.name = name
      self.isFeedback = isFeedback
      self.isValid = isValid
      self.value = value
    }
  }

  private var groups: [String: Group] = [:]
  private var assessments: [String: NumericSummary] = [:]

  /// A group's figures while traces are added.
  private struct Group {
    var traces = 0
    var errors = 0
    var durations: [Int64: Int] = [:]
    var tokens = UsageFigures()
    var cost = UsageFigures()
  }

  package init() {}

  /// Adds one trace: its state, execution time, root span name (tag `mlflow.traceName`), token
  /// usage and cost (metadata `mlflow.trace.tokenUsage`, `mlflow.trace.cost`), and its
  /// assessments.
  package mutating func add(_ info: TraceInfo, assessments traceAssessments: [Assessment]) {
    var group = groups[info.tags[TraceInfo.traceNameKey] ?? "", default: Group()]
    group.traces += 1
    if info.state == .error { group.errors += 1 }
    if let duration = info.executionDuration { group.durations[duration, default: 0] += 1 }
    // Only the usage keys: the columns MLflow fills from them, parsed as MLflow parses them.
    let usage = (try? TraceAnalytics(
      metadata: info.metadata.filter { $0.key == TraceAnalytics.tokenUsageKey || $0.key == TraceAnalytics.costKey }))
    if let usage {
      Self.add(usage.tokens.map { $0.map(Double.init) }, to: &group.tokens)
      Self.add(usage.costs, to: &group.cost)
    }
    groups[info.tags[TraceInfo.traceNameKey] ?? ""] = group
    for assessment in traceAssessments where assessment.isFeedback && assessment.isValid {
      guard let number = assessment.value.flatMap(AssessmentValue.aggregate) else { continue }
      assessments[assessment.name, default: NumericSummary()].add(number)
    }
  }

  /// Adds the input, output and total values (the first three of MLflow's column order).
  private static func add(_ values: [Double?], to figures: inout UsageFigures) {
    if let input = values[0] { figures.input.add(input) }
    if let output = values[1] { figures.output.add(output) }
    if let total = values[2] { figures.total.add(total) }
  }

  /// The figures of the traces added so far.
  package var statistics: TraceStatistics {
    let byRootSpan = groups.mapValues { group in
      TraceGroupStatistics(
        traces: group.traces, errors: group.errors, latency: LatencyDistribution(counts: group.durations),
        tokens: group.tokens, cost: group.cost)
    }
    return TraceStatistics(all: TraceStatistics.total(of: byRootSpan), byRootSpan: byRootSpan, assessments: assessments)
  }
}

extension TraceStatistics {
  /// All groups' traces together, merged in name order (so floating-point sums do not depend
  /// on a dictionary's order).
  static func total(of groups: [String: TraceGroupStatistics]) -> TraceGroupStatistics {
    groups.sorted { $0.key < $1.key }.reduce(TraceGroupStatistics()) { $0.merged(with: $1.value) }
  }
}
