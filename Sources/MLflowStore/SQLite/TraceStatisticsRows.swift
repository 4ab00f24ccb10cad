/// ``TraceStatistics`` in SQL over MLflow's own tables: `trace_info` (state, execution time,
/// trace name, the token and cost columns), `trace_request_metadata` (the `mlflow.modelId` link)
/// and `assessments` (MLflow's `aggregate_value` of each feedback). One statement for all the
/// queries: it selects their traces once (one pass over the `mlflow.modelId` links) and returns
/// grouped rows; no span and no single trace is read into memory.
enum TraceStatisticsRows {
  /// The token and cost columns, in ``UsageFigures`` order (input, output, total).
  private static let usageColumns = (TraceAnalytics.tokenColumns.prefix(3) + TraceAnalytics.costColumns).map(\.column)

  /// The figures of the traces each query selects, in the queries' order.
  static func statistics(
    _ queries: [(query: TraceStatisticsQuery, experimentNumber: Int64)], in connection: SQLiteConnection
  ) throws(MLflowStoreError) -> [TraceStatistics] {
    guard !queries.isEmpty else { return [] }
    // wanted(position, model, experiment, since, until): one row per query.
    let wanted = Array(repeating: "(?, ?, ?, ?, ?)", count: queries.count).joined(separator: ", ")
    var values: [SQLiteValue] = []
    for (position, entry) in queries.enumerated() {
      values += [
        .integer(Int64(position)), .text(entry.query.modelID), .integer(entry.experimentNumber),
        .optionalInteger(entry.query.since), .optionalInteger(entry.query.until),
      ]
    }
    let usage = usageColumns.map { "COUNT(\($0)), SUM(\($0))" }.joined(separator: ", ")
    let noUsage = Array(repeating: "NULL", count: usageColumns.count * 2).joined(separator: ", ")
    // Rows: kind 0 a root span name's counts and sums, kind 1 how many of its traces took each
    // execution time, kind 2 an assessment name's count and sum.
    let sql = """
      WITH wanted(position, model_id, experiment_id, since, until) AS (VALUES \(wanted)),
      selected AS MATERIALIZED (
        SELECT w.position, t.request_id, COALESCE(t.trace_name, '') AS name, t.status, t.execution_time_ms,
               \(usageColumns.map { "t." + $0 }.joined(separator: ", "))
        FROM trace_request_metadata AS md
        JOIN wanted AS w ON w.model_id = md.value
        JOIN trace_info AS t ON t.request_id = md.request_id AND t.experiment_id = w.experiment_id
        WHERE md.key = ? AND (w.since IS NULL OR t.timestamp_ms >= w.since) AND (w.until IS NULL OR t.timestamp_ms < w.until))
      SELECT 0, position, name, NULL, COUNT(*), SUM(status = 'ERROR'), \(usage)
        FROM selected GROUP BY position, name
      UNION ALL
      SELECT 1, position, name, execution_time_ms, COUNT(*), NULL, \(noUsage)
        FROM selected WHERE execution_time_ms IS NOT NULL GROUP BY position, name, execution_time_ms
      UNION ALL
      SELECT 2, s.position, a.name, NULL, COUNT(*), SUM(a.aggregate_value), \(noUsage)
        FROM selected AS s JOIN assessments AS a ON a.trace_id = s.request_id
        WHERE a.assessment_type = 'feedback' AND a.valid = 1 AND a.aggregate_value IS NOT NULL
        GROUP BY s.position, a.name
      """
    var groups = Array(repeating: [String: TraceGroupStatistics](), count: queries.count)
    var durations = Array(repeating: [String: [Int64: Int]](), count: queries.count)
    var assessments = Array(repeating: [String: NumericSummary](), count: queries.count)
    for row in try connection.rows(sql, values + [.text(TraceInfo.modelIDKey)]) {
      guard let position = row[1].integer.map(Int.init), groups.indices.contains(position) else { continue }
      let name = row[2].text ?? ""
      let count = Int(row[4].integer ?? 0)
      switch row[0].integer {
      case 0:
        let summaries = stride(from: 6, to: row.count, by: 2).map { column in
          NumericSummary(count: Int(row[column].integer ?? 0), sum: row[column + 1].real ?? 0)
        }
        groups[position][name] = TraceGroupStatistics(
          traces: count, errors: Int(row[5].integer ?? 0),
          tokens: UsageFigures(input: summaries[0], output: summaries[1], total: summaries[2]),
          cost: UsageFigures(input: summaries[3], output: summaries[4], total: summaries[5]))
      case 1:
        if let milliseconds = row[3].integer { durations[position][name, default: [:]][milliseconds] = count }
      default:
        assessments[position][name] = NumericSummary(count: count, sum: row[5].real ?? 0)
      }
    }
    return queries.indices.map { position in
      var byRootSpan = groups[position]
      for (name, counts) in durations[position] { byRootSpan[name]?.latency = LatencyDistribution(counts: counts) }
      return TraceStatistics(
        all: TraceStatistics.total(of: byRootSpan), byRootSpan: byRootSpan, assessments: assessments[position])
    }
  }
}
