/// A store that summarizes versions' traces (``TraceStatistics``) without handing every trace
/// to the caller: ``SQLiteTrackingStore`` aggregates in SQL over MLflow's own columns, a
/// tracking server's store pages through MLflow's trace search.
///
/// # Usage
/// ```swift
/// guard let source = store as? any TraceStatisticsStore else { return }
/// let both = try await source.traceStatistics([
///   TraceStatisticsQuery(experimentID: "0", modelID: base), TraceStatisticsQuery(experimentID: "0", modelID: head),
/// ])
/// print(both[1].all.traces - both[0].all.traces)
/// ```
package protocol TraceStatisticsStore: Sendable {
  /// The figures of the traces each query selects, in the queries' order; all zero for a query
  /// that selects none. Asking for several versions at once lets a store read its traces once.
  ///
  /// - Throws: `.invalidArgument` for a non-numeric experiment ID; the store's errors when it
  ///   cannot be read.
  func traceStatistics(_ queries: [TraceStatisticsQuery]) async throws(MLflowStoreError) -> [TraceStatistics]
}

extension TraceStatisticsStore {
  /// The figures of the traces `query` selects.
  package func traceStatistics(_ query: TraceStatisticsQuery) async throws(MLflowStoreError) -> TraceStatistics {
    try await traceStatistics([query])[0]
  }
}
