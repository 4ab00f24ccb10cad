import LocalFiles

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TraceJournal {
  /// How many traces went to this journal because an exporter's queue was full, and how many
  /// were dropped because the journal was full too, over every process that used it
  /// (`counters.json` in the journal's folder); `mlflow-git doctor` shows them.
  package struct Counters: Sendable, Hashable, Codable {
    /// Traces written here because the queue was full.
    package var spilled = 0
    /// Traces lost because the journal was at its bound (`MLFLOW_GIT_TRACE_JOURNAL_MB`).
    package var dropped = 0
    /// When the last trace was dropped, in milliseconds since the Unix epoch.
    package var lastDropped: Int64?

    package init() {}
  }

  /// The journal's counters; zero when nothing was ever spilled or dropped.
  package var counters: Counters {
    guard let bytes = PrivateFiles.contents(directory + "/counters.json"),
      let counters = try? JSONDecoder().decode(Counters.self, from: Data(bytes))
    else { return Counters() }
    return counters
  }

  /// Adds to the counters, under the journal's lock for them.
  func addToCounters(spilled: Int, dropped: Int) throws {
    try PrivateFiles.createDirectory(directory)
    let lock = try FileLock.acquire(at: directory + "/.counters.lock")
    defer { lock.release() }
    var counters = self.counters
    counters.spilled += spilled
    counters.dropped += dropped
    if dropped > 0 { counters.lastDropped = Int64(Date().timeIntervalSince1970 * 1000) }
    try PrivateFiles.replace(directory + "/counters.json", with: Array(try JSONEncoder().encode(counters)))
  }
}
