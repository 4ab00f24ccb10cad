import GitState
import GitVersioning
import MLflowStore

/// A comparison as one JSON object, for scripts and CI. The field names are stable (see
/// ``fieldReference``); numbers are plain JSON numbers, latencies in milliseconds, costs in US
/// dollars; a figure a side does not have is `null`.
///
/// # Usage
/// ```swift
/// print(JSONReport(comparison).text)
/// ```
package struct JSONReport: Sendable {
  package let comparison: VersionComparison

  package init(_ comparison: VersionComparison) { self.comparison = comparison }

  /// The fields, as `mlflow-git compare --help` and the README document them.
  package static let fieldReference = """
    a, b: the versions: modelID (null when the store cannot be read), name, branch, commit, dirty,
    experimentID, reference (what named it), registeredNow, delivered, uncommitted (a dirty
    version's recorded diff: bytes, sha256, files) or null.

    trackingURI (credentials removed); window: since, until (ms or null).

    code: null, or mergeBase, commitsAhead (in B, not in A), commitsBehind, commits [{commit,
    subject}] (newest first, capped), files [{path, previousPath, added, deleted}] (null counts:
    binary), linesAdded, linesDeleted.

    behaviour: null without a store, or a and b (null when unreadable), each: traces, errors,
    errorRate, latencyMs {count, p50, p95, max}, tokens and cost {input, output, total: {count,
    sum, mean}}, assessments {name: {count, mean}}, rootSpans {name: the same without
    assessments}; and delta {key: {change (B − A), verdict better|worse|same|null}} for traces,
    errorRate, latencyP50Ms, latencyP95Ms, latencyMaxMs, inputTokensPerTrace,
    outputTokensPerTrace, totalTokensPerTrace, costPerTrace, assessments {name: …} and rootSpans
    {name: {key: …}}.

    notes, storeProblem: sentences; storeProblem is null when traces were read.
    """

  /// The report as one line of JSON.
  package var text: String { json.pythonJSON }

  var json: JSONValue {
    let behaviour: JSONValue
    if comparison.storeProblem != nil && comparison.behaviour.a == nil && comparison.behaviour.b == nil {
      behaviour = .null
    } else {
      behaviour = .object([
        ("a", comparison.behaviour.a.map(Self.statistics) ?? .null),
        ("b", comparison.behaviour.b.map(Self.statistics) ?? .null),
        ("delta", delta),
      ])
    }
    return .object([
      ("a", Self.side(comparison.a)), ("b", Self.side(comparison.b)),
      ("trackingURI", .string(comparison.trackingURI)),
      ("window", .object([("since", Self.optional(comparison.window.since)), ("until", Self.optional(comparison.window.until))])),
      ("code", comparison.code.map(Self.code) ?? .null),
      ("behaviour", behaviour),
      ("notes", .array(comparison.notes.map(JSONValue.string))),
      ("storeProblem", comparison.storeProblem.map(JSONValue.string) ?? .null),
    ])
  }

  private var delta: JSONValue {
    .object(
      Self.deltas(comparison.overallRows) + [
        ("assessments", .object(Self.deltas(comparison.assessmentRows))),
        ("rootSpans", .object(comparison.rootSpanNames.map { ($0, .object(Self.deltas(comparison.rows(rootSpan: $0)))) })),
      ])
  }

  private static func deltas(_ rows: [ComparisonRow]) -> [(key: String, value: JSONValue)] {
    rows.map { row in
      (row.key, .object([("change", number(row.delta)), ("verdict", row.verdict.map { .string($0.rawValue) } ?? .null)]))
    }
  }

  private static func side(_ side: ComparedVersion) -> JSONValue {
    .object([
      ("modelID", side.modelID.map(JSONValue.string) ?? .null), ("name", .string(side.name)), ("branch", .string(side.version.branch)),
      ("commit", .string(side.version.commit)), ("dirty", .bool(side.version.isDirty)),
      ("experimentID", side.experimentID.map(JSONValue.string) ?? .null),
      ("reference", .string(side.reference.description)), ("registeredNow", .bool(side.registeredNow)),
      ("delivered", .bool(side.isDelivered)),
      (
        "uncommitted",
        UncommittedChanges(side.version).map { changes in
          .object([
            ("bytes", .integer(Int64(changes.bytes))), ("sha256", .string(changes.sha256)),
            ("files", .array(changes.files.map(file))),
          ])
        } ?? .null
      ),
    ])
  }

  private static func code(_ code: CodeChanges) -> JSONValue {
    let revisions = code.revisions
    return .object([
      ("mergeBase", revisions.mergeBase.map(JSONValue.string) ?? .null),
      ("commitsAhead", .integer(Int64(revisions.commitsAhead))),
      ("commitsBehind", .integer(Int64(revisions.commitsBehind))),
      (
        "commits",
        .array(revisions.commits.map { .object([("commit", .string($0.id)), ("subject", .string($0.subject))]) })
      ),
      ("files", .array(revisions.files.map(file))),
      ("linesAdded", .integer(Int64(revisions.linesAdded))), ("linesDeleted", .integer(Int64(revisions.linesDeleted))),
    ])
  }

  private static func file(_ file: RevisionComparison.FileChange) -> JSONValue {
    .object([
      ("path", .string(file.path)), ("previousPath", file.previousPath.map(JSONValue.string) ?? .null),
      ("added", optional(file.added.map(Int64.init))), ("deleted", optional(file.deleted.map(Int64.init))),
    ])
  }

  private static func statistics(_ statistics: TraceStatistics) -> JSONValue {
    .object(
      group(statistics.all) + [
        (
          "assessments",
          .object(
            statistics.assessments.sorted { $0.key < $1.key }.map { name, summary in
              (name, .object([("count", .integer(Int64(summary.count))), ("mean", number(summary.mean))]))
            })
        ),
        ("rootSpans", .object(statistics.byRootSpan.sorted { $0.key < $1.key }.map { ($0.key, .object(group($0.value))) })),
      ])
  }

  private static func group(_ group: TraceGroupStatistics) -> [(key: String, value: JSONValue)] {
    [
      ("traces", .integer(Int64(group.traces))), ("errors", .integer(Int64(group.errors))),
      ("errorRate", number(group.errorRate)),
      (
        "latencyMs",
        .object([
          ("count", .integer(Int64(group.latency.count))), ("p50", number(group.latency.percentile(50))),
          ("p95", number(group.latency.percentile(95))), ("max", optional(group.latency.maximum)),
        ])
      ),
      ("tokens", usage(group.tokens)), ("cost", usage(group.cost)),
    ]
  }

  private static func usage(_ figures: UsageFigures) -> JSONValue {
    .object(
      [("input", figures.input), ("output", figures.output), ("total", figures.total)].map { key, summary in
        (key, .object([("count", .integer(Int64(summary.count))), ("sum", number(summary.sum)), ("mean", number(summary.mean))]))
      })
  }

  /// A whole number as a JSON integer, any other as a JSON number; `null` for `nil`.
  private static func number(_ value: Double?) -> JSONValue {
    guard let value else { return .null }
    if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return .integer(Int64(value)) }
    return .double(value)
  }

  private static func optional(_ value: Int64?) -> JSONValue { value.map(JSONValue.integer) ?? .null }
}
