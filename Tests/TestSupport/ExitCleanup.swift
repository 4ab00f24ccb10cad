package import Foundation
import Synchronization

/// What the test process does when it exits, even when a test failed: it stops the process
/// groups it started (servers shared by several tests), then runs the added actions (stopping a
/// database cluster, removing folders), the last added first.
package enum ExitCleanup {
  private static let groups = Mutex<Set<pid_t>>([])
  private static let actions = Mutex<[@Sendable () -> Void]>([])
  private static let installed: Void = { atexit { ExitCleanup.runAll() } }()

  /// Stops the process group led by `pid` at exit, unless ``forget(processGroup:)`` is called.
  package static func stopAtExit(processGroup pid: pid_t) {
    _ = installed
    _ = groups.withLock { $0.insert(pid) }
  }

  /// The group led by `pid` was stopped already.
  package static func forget(processGroup pid: pid_t) {
    _ = groups.withLock { $0.remove(pid) }
  }

  /// Runs `action` when the test process exits, after the process groups are stopped.
  package static func add(_ action: @escaping @Sendable () -> Void) {
    _ = installed
    actions.withLock { $0.append(action) }
  }

  /// SIGTERM to every group, SIGKILL to what is left after 3 s; then the actions.
  private static func runAll() {
    let pids = Array(groups.withLock { $0 })
    for pid in pids { kill(-pid, SIGTERM) }
    var status: Int32 = 0
    for _ in 0..<30 {
      for pid in pids { _ = waitpid(pid, &status, WNOHANG) }  // a leader that exited is no member
      guard pids.contains(where: { kill(-$0, 0) == 0 }) else { break }
      usleep(100_000)
    }
    for pid in pids { kill(-pid, SIGKILL) }
    for action in actions.withLock({ $0 }).reversed() { action() }
  }
}
