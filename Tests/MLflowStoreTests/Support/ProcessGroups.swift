import Foundation
import Synchronization

/// Process groups (servers) and PostgreSQL clusters the test process started and must stop,
/// even when a test fails: stopped at process exit.
enum ProcessGroups {
  private static let groups = Mutex<[pid_t]>([])
  private static let cleanups = Mutex<[@Sendable () -> Void]>([])
  private static let installed: Void = { atexit { ProcessGroups.stopAll() } }()

  /// Stops the group led by `pid` when the test process exits.
  static func register(_ pid: pid_t) {
    _ = installed
    groups.withLock { $0.append(pid) }
  }

  /// Runs `cleanup` when the test process exits (after the server groups are stopped).
  static func atExit(_ cleanup: @escaping @Sendable () -> Void) {
    _ = installed
    cleanups.withLock { $0.append(cleanup) }
  }

  private static func stopAll() {
    let pids = groups.withLock { $0 }
    for pid in pids { kill(-pid, SIGTERM) }
    for _ in 0..<30 where pids.contains(where: { kill(-$0, 0) == 0 }) { usleep(100_000) }
    for pid in pids { kill(-pid, SIGKILL) }
    for cleanup in cleanups.withLock({ $0 }) { cleanup() }
  }
}
