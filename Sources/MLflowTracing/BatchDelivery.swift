import MLflowStore

/// Stores a batch of traces with one ``TrackingStore/logTraces(_:)`` call, and when the store
/// refuses the batch, splits it in halves and tries each, down to single traces, so that a
/// trace the store refuses never keeps the others out. When the store itself fails
/// (unreachable, locked, broken), splitting cannot help: the batch and everything not tried
/// yet are reported unavailable at once.
enum BatchDelivery {
  /// What happened to each trace of a batch, by its index in the batch.
  struct Outcome: Sendable {
    /// Stored (or stored already).
    var stored: [Int] = []
    /// Refused by the store, each with the store's reason.
    var refused: [(index: Int, error: MLflowStoreError)] = []
    /// Not stored because the store failed with `unavailableError`.
    var unavailable: [Int] = []
    var unavailableError: MLflowStoreError?

    init() {}

    init(unavailable: [Int], error: MLflowStoreError) {
      self.unavailable = unavailable
      unavailableError = error
    }
  }

  static func store(_ traces: [Trace], in store: any TrackingStore) async -> Outcome {
    var outcome = Outcome()
    var ranges: [Range<Int>] = traces.isEmpty ? [] : [traces.indices]
    while let range = ranges.popLast() {
      do throws(MLflowStoreError) {
        try await store.logTraces(Array(traces[range]))
        outcome.stored += range
      } catch where refusesContent(error) {
        let experiments = Set(traces[range].map(\.info.experimentID))
        if range.count == 1 || (refusesExperiment(error) && experiments.count == 1) {
          outcome.refused += range.map { ($0, error) }
        } else {
          let middle = range.lowerBound + range.count / 2
          ranges += [middle..<range.upperBound, range.lowerBound..<middle]  // the first half next
        }
      } catch {
        outcome.unavailable = (Array(range) + ranges.flatMap { Array($0) }).sorted()
        outcome.unavailableError = error
        return outcome
      }
    }
    return outcome
  }

  /// Failures caused by what was sent (some trace, or its experiment), not by the store.
  static func refusesContent(_ error: MLflowStoreError) -> Bool {
    [.invalidArgument, .alreadyExists, .experimentNotFound, .invalidState].contains(error.code)
  }

  /// Failures caused by the traces' experiment, the same for every trace of it.
  private static func refusesExperiment(_ error: MLflowStoreError) -> Bool {
    error.code == .experimentNotFound || error.code == .invalidState
  }
}
