extension SQLiteTrackingStore: TraceStatisticsStore {
  public func traceStatistics(_ query: TraceStatisticsQuery) async throws(MLflowStoreError) -> TraceStatistics {
    let experimentNumber = try ExperimentRows.parseID(query.experimentID)
    return try await withConnection { (connection) throws(MLflowStoreError) -> TraceStatistics in
      try connection.readTransaction { () throws(MLflowStoreError) -> TraceStatistics in
        try TraceStatisticsRows.statistics(query, experimentNumber: experimentNumber, in: connection)
      }
    }
  }
}
