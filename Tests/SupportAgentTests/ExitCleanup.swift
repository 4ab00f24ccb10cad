import Foundation
import Synchronization

/// Work the test process does when it exits: stopping servers shared by several tests and
/// removing their folders, even when a test failed.
enum ExitCleanup {
  private static let actions = Mutex<[@Sendable () -> Void]>([])
  private static let installed: Void = { atexit { ExitCleanup.runAll() } }()

  /// Runs `action` when the test process exits (the last added first).
  static func add(_ action: @escaping @Sendable () -> Void) {
    _ = installed
    actions.withLock { $0.append(action) }
  }

  private static func runAll() {
    for action in actions.withLock({ $0 }).reversed() { action() }
  }
}
