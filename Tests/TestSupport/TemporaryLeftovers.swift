import Foundation

/// Checks that the tests leave nothing in the temporary directory: when
/// `MLFLOW_GIT_CHECK_TEMPORARY_DIRECTORY` is set (scripts/test.sh sets it, with a temporary
/// directory of the run's own), the test process lists the directory when tests first make a
/// folder there and again when it exits, after ``ExitCleanup``'s actions; anything new is
/// printed and the process exits with status 1.
///
/// SwiftPM's own leftovers (the `TemporaryDirectory.*` folders it makes while loading the
/// package, before the test process starts) are in the first listing and do not count.
enum TemporaryLeftovers {
  /// The first listing, taken once; `nil` when the check is off.
  private static let baseline: Set<String>? = {
    guard ProcessInfo.processInfo.environment["MLFLOW_GIT_CHECK_TEMPORARY_DIRECTORY"] != nil else { return nil }
    let listing = entries()
    // Added before any other action, so it runs after all of them.
    ExitCleanup.add { check(against: listing) }
    return listing
  }()

  /// Starts the check, if it is on (idempotent).
  static func watch() { _ = baseline }

  private static func entries() -> Set<String> {
    Set((try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? [])
  }

  private static func check(against baseline: Set<String>) {
    let left = entries().subtracting(baseline).sorted()
    guard !left.isEmpty else { return }
    var message = "the tests left \(left.count) entries in \(NSTemporaryDirectory()): \(left.prefix(20).joined(separator: ", "))\n"
    // What is in them says which test (or which detached process) left them.
    for entry in left.prefix(5) {
      let path = NSTemporaryDirectory() + "/" + entry
      let inside = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).sorted()
      message += "  \(entry): \(inside.count) paths\(inside.isEmpty ? "" : ": ")\(inside.prefix(15).joined(separator: ", "))\n"
    }
    FileHandle.standardError.write(Data(message.utf8))
    _exit(1)
  }
}
