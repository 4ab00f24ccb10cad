/// A store that summarizes a version's traces (``TraceStatistics``) without handing every trace
/// to the caller: ``SQLiteTrackingStore`` aggregates in SQL over MLflow's own columns, a
/// tracking server's store pages through MLflow's trace search.
///
/// # Usage
/// ```swift
/// guard let source = store as? any TraceStatisticsStore else { return }
/// let statistics = try await source.traceStatistics(TraceStatisticsQuery(experimentID: "0", modelID: id))
/// ```
public protocol TraceStatisticsStore: Sendable {
  /// The figures of the traces `query` selects; all zero when there are none.
  ///
  /// - Throws: `.invalidArgument` for a non-numeric experiment ID; the store's errors when it
  ///   cannot be read.
  func traceStatistics(_ query: TraceStatisticsQuery) async throws(MLflowStoreError) -> TraceStatistics
}
