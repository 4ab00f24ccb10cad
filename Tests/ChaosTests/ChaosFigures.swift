import Synchronization

/// What the chaos did, counted by its concurrent loops, and whether they should stop.
final class ChaosFigures: Sendable {
  struct Counts: Sendable {
    var commits = 0
    var amends = 0
    var rebases = 0
    var kills = 0
    var serverOutages = 0
    var databaseLocks = 0
    var databaseMoves = 0
    /// App starts that found no version (a rebase in progress: detached HEAD; or a store
    /// failing other than by being absent), so they traced nothing.
    var unversionedStarts = 0
    /// How long each app start took to give its version (or none).
    var startTimes: [Duration] = []
    /// Git commands or outage steps that failed: the chaos itself went wrong.
    var failures: [String] = []
  }

  /// A trace the app wrote: its ID, and the version it was linked to.
  struct WrittenTrace: Sendable {
    let traceID: String
    let worktree: Int
    let modelID: String
    let branch: String
    let commit: String
  }

  private let counts = Mutex(Counts())
  private let traces = Mutex<[WrittenTrace]>([])
  private let stopping = Mutex(false)

  func count(_ update: (inout Counts) -> Void) { counts.withLock { update(&$0) } }
  func fail(_ what: String) { counts.withLock { $0.failures.append(what) } }
  var snapshot: Counts { counts.withLock { $0 } }

  func wrote(_ trace: WrittenTrace) { traces.withLock { $0.append(trace) } }
  var writtenTraces: [WrittenTrace] { traces.withLock { $0 } }

  /// Tells the loops that run until the worktrees are done to stop.
  func stop() { stopping.withLock { $0 = true } }
  var isStopping: Bool { stopping.withLock { $0 } }
}
