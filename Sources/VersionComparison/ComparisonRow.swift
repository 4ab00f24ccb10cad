import MLflowStore

/// One figure of a comparison, for both versions: what the reports put in a table row.
package struct ComparisonRow: Sendable, Hashable {
  /// What the number is.
  package enum Unit: Sendable, Hashable {
    case count, ratio, milliseconds, tokens, dollars, score
  }

  /// Which way is better, if either.
  package enum Preference: Sendable, Hashable {
    case lower, higher, neither
  }

  /// How B compares with A on a figure with a preference.
  package enum Verdict: String, Sendable, Hashable {
    case better, worse, same
  }

  /// The figure's name in the JSON report (`latencyP50Ms`); also the assessment's name.
  package var key: String
  /// The figure's name in tables (`latency p50`).
  package var label: String
  package var unit: Unit
  package var preference: Preference
  /// A's value; `nil` when A has none (no traces, nothing recorded).
  package var a: Double?
  /// B's value.
  package var b: Double?
  /// How many values A's figure is made of (errors of an error rate, values of a mean).
  package var countA: Int?
  package var countB: Int?
  /// `true` for the latency percentiles, drawn with inline bars.
  package var showsBar: Bool

  package init(
    _ key: String, _ label: String, unit: Unit, preference: Preference, a: Double?, b: Double?, countA: Int? = nil,
    countB: Int? = nil, showsBar: Bool = false
  ) {
    self.key = key
    self.label = label
    self.unit = unit
    self.preference = preference
    self.a = a
    self.b = b
    self.countA = countA
    self.countB = countB
    self.showsBar = showsBar
  }

  /// `b − a`, when both exist.
  package var delta: Double? {
    guard let a, let b else { return nil }
    return b - a
  }

  /// `(b − a) / a`, when both exist and `a` is not zero.
  package var relativeDelta: Double? {
    guard let a, let b, a != 0 else { return nil }
    return (b - a) / a
  }

  /// Better, worse or the same; `nil` without a preference or a value on each side.
  package var verdict: Verdict? {
    guard preference != .neither, let delta else { return nil }
    if delta == 0 { return .same }
    return (delta < 0) == (preference == .lower) ? .better : .worse
  }
}

extension ComparisonRow {
  /// The rows of one group of traces: traces, error rate, latency p50/p95/max, tokens and cost
  /// per trace (those two only when either side recorded any).
  static func rows(_ a: TraceGroupStatistics?, _ b: TraceGroupStatistics?) -> [ComparisonRow] {
    var rows = [
      ComparisonRow("traces", "traces", unit: .count, preference: .neither, a: a.map { Double($0.traces) }, b: b.map { Double($0.traces) }),
      ComparisonRow(
        "errorRate", "error rate", unit: .ratio, preference: .lower, a: a?.errorRate, b: b?.errorRate, countA: a?.errors,
        countB: b?.errors),
      ComparisonRow(
        "latencyP50Ms", "latency p50", unit: .milliseconds, preference: .lower, a: a?.latency.percentile(50),
        b: b?.latency.percentile(50), showsBar: true),
      ComparisonRow(
        "latencyP95Ms", "latency p95", unit: .milliseconds, preference: .lower, a: a?.latency.percentile(95),
        b: b?.latency.percentile(95), showsBar: true),
      ComparisonRow(
        "latencyMaxMs", "latency max", unit: .milliseconds, preference: .lower, a: a?.latency.maximum.map(Double.init),
        b: b?.latency.maximum.map(Double.init)),
    ]
    let usage: [(String, String, Unit, KeyPath<TraceGroupStatistics, NumericSummary>)] = [
      ("inputTokensPerTrace", "input tokens / trace", .tokens, \.tokens.input),
      ("outputTokensPerTrace", "output tokens / trace", .tokens, \.tokens.output),
      ("totalTokensPerTrace", "total tokens / trace", .tokens, \.tokens.total),
      ("costPerTrace", "cost / trace", .dollars, \.cost.total),
    ]
    for (key, label, unit, path) in usage {
      let summaryA = a?[keyPath: path]
      let summaryB = b?[keyPath: path]
      guard (summaryA?.count ?? 0) + (summaryB?.count ?? 0) > 0 else { continue }
      rows.append(
        ComparisonRow(
          key, label, unit: unit, preference: .lower, a: summaryA?.mean, b: summaryB?.mean, countA: summaryA?.count,
          countB: summaryB?.count))
    }
    return rows
  }
}

extension VersionComparison {
  /// The figures of all traces.
  package var overallRows: [ComparisonRow] { ComparisonRow.rows(behaviour.a?.all, behaviour.b?.all) }

  /// The root span names of either side, sorted.
  package var rootSpanNames: [String] {
    Set(Array(behaviour.a?.byRootSpan.keys ?? [:].keys) + Array(behaviour.b?.byRootSpan.keys ?? [:].keys)).sorted()
  }

  /// The figures of the traces whose root span is `name`.
  package func rows(rootSpan name: String) -> [ComparisonRow] {
    ComparisonRow.rows(
      behaviour.a.map { $0.byRootSpan[name] ?? TraceGroupStatistics() },
      behaviour.b.map { $0.byRootSpan[name] ?? TraceGroupStatistics() })
  }

  /// The mean of each assessment (feedback) name on either side, higher is better.
  package var assessmentRows: [ComparisonRow] {
    let names = Set(Array(behaviour.a?.assessments.keys ?? [:].keys) + Array(behaviour.b?.assessments.keys ?? [:].keys))
    return names.sorted().map { name in
      let a = behaviour.a?.assessments[name]
      let b = behaviour.b?.assessments[name]
      return ComparisonRow(
        name, name, unit: .score, preference: .higher, a: a?.mean, b: b?.mean, countA: a?.count ?? (behaviour.a == nil ? nil : 0),
        countB: b?.count ?? (behaviour.b == nil ? nil : 0))
    }
  }
}
