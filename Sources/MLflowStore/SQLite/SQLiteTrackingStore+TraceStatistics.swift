extension SQLiteTrackingStore: TraceStatisticsStore {
  package func traceStatistics(_ queries: [TraceStatisticsQuery]) async throws(MLflowStoreError) -> [TraceStatistics] {
    var numbered: [(query: TraceStatisticsQuery, experimentNumber: Int64)] = []
    for query in queries { numbered.append((query, try ExperimentRows.parseID(query.experimentID))) }
    let entries = numbered
    return try await withConnection { (connection) throws(MLflowStoreError) -> [TraceStatistics] in
      try connection.readTransaction { () throws(MLflowStoreError) -> [TraceStatistics] in
        try TraceStatisticsRows.statistics(entries, in: connection)
      }
    }
  }
}
