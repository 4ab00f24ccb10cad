import Foundation

/// Another connection holding an exclusive lock on a database for a while, from a thread of its
/// own, so the release does not depend on Swift concurrency's (possibly busy) threads.
final class LockHolder: @unchecked Sendable {
  private let released = DispatchSemaphore(value: 0)

  /// Takes the lock before returning, and releases it `duration` later.
  init(_ path: String, for duration: Duration) throws {
    let database = try RawDatabase(path)
    try database.execute("BEGIN EXCLUSIVE")
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    Thread.detachNewThread { [released] in
      Thread.sleep(forTimeInterval: seconds)
      try? database.execute("COMMIT")
      released.signal()
    }
  }

  /// Blocks until the lock has been released.
  func waitUntilReleased() { released.wait() }
}
