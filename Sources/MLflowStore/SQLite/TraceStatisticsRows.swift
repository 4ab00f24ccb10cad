/// ``TraceStatistics`` in SQL over MLflow's own tables: `trace_info` (state, execution time,
/// trace name, the token and cost columns), `trace_request_metadata` (the `mlflow.modelId` link)
/// and `assessments` (MLflow's `aggregate_value` of each feedback). Three grouped queries; no
/// span and no trace row is read into memory.
enum TraceStatisticsRows {
  /// The figures of the traces `query` selects, in one read transaction's state.
  static func statistics(
    _ query: TraceStatisticsQuery, experimentNumber: Int64, in connection: SQLiteConnection
  ) throws(MLflowStoreError) -> TraceStatistics {
    let (traces, values) = selection(query, experimentNumber: experimentNumber)
    let (feedback, _) = selection(
      query, experimentNumber: experimentNumber, joining: "JOIN assessments AS a ON a.trace_id = t.request_id")
    var groups: [String: TraceGroupStatistics] = [:]
    let usage = (TraceAnalytics.tokenColumns.prefix(3) + TraceAnalytics.costColumns).map(\.column)
    let usageSQL = usage.map { "COUNT(t.\($0)), SUM(t.\($0))" }.joined(separator: ", ")
    for row in try connection.rows(
      "SELECT COALESCE(t.trace_name, ''), COUNT(*), SUM(t.status = 'ERROR'), \(usageSQL) \(traces) GROUP BY 1", values)
    {
      let summaries = stride(from: 3, to: row.count, by: 2).map { column in
        NumericSummary(count: Int(row[column].integer ?? 0), sum: row[column + 1].real ?? 0)
      }
      groups[row[0].text ?? ""] = TraceGroupStatistics(
        traces: Int(row[1].integer ?? 0), errors: Int(row[2].integer ?? 0),
        tokens: UsageFigures(input: summaries[0], output: summaries[1], total: summaries[2]),
        cost: UsageFigures(input: summaries[3], output: summaries[4], total: summaries[5]))
    }
    var durations: [String: [Int64: Int]] = [:]
    for row in try connection.rows(
      "SELECT COALESCE(t.trace_name, ''), t.execution_time_ms, COUNT(*) \(traces) "
        + "AND t.execution_time_ms IS NOT NULL GROUP BY 1, 2", values)
    {
      guard let milliseconds = row[1].integer else { continue }
      durations[row[0].text ?? "", default: [:]][milliseconds] = Int(row[2].integer ?? 0)
    }
    for (name, counts) in durations { groups[name]?.latency = LatencyDistribution(counts: counts) }
    var assessments: [String: NumericSummary] = [:]
    for row in try connection.rows(
      "SELECT a.name, COUNT(*), SUM(a.aggregate_value) \(feedback) AND a.assessment_type = 'feedback' "
        + "AND a.valid = 1 AND a.aggregate_value IS NOT NULL GROUP BY a.name", values)
    {
      assessments[row[0].text ?? ""] = NumericSummary(count: Int(row[1].integer ?? 0), sum: row[2].real ?? 0)
    }
    return TraceStatistics(all: TraceStatistics.total(of: groups), byRootSpan: groups, assessments: assessments)
  }

  /// `FROM … WHERE …` selecting the query's traces as `t` (and whatever `join` adds to each),
  /// and its parameter values.
  private static func selection(
    _ query: TraceStatisticsQuery, experimentNumber: Int64, joining join: String = ""
  ) -> (sql: String, values: [SQLiteValue]) {
    var sql = "FROM trace_request_metadata AS md JOIN trace_info AS t ON t.request_id = md.request_id \(join) "
      + "WHERE md.key = ? AND md.value = ? AND t.experiment_id = ?"
    var values: [SQLiteValue] = [.text(TraceInfo.modelIDKey), .text(query.modelID), .integer(experimentNumber)]
    if let since = query.since {
      sql += " AND t.timestamp_ms >= ?"
      values.append(.integer(since))
    }
    if let until = query.until {
      sql += " AND t.timestamp_ms < ?"
      values.append(.integer(until))
    }
    return (sql, values)
  }
}
