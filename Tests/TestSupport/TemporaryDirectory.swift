import Foundation
import Synchronization

/// A fresh directory under the system temporary directory, removed when the object goes away,
/// or at process exit once ``keep()`` was called (for state that tests share, like a server's).
package final class TemporaryDirectory: Sendable {
  package let path: String
  private let kept = Mutex(false)

  package init(_ label: String = "mlflow-store") throws {
    // Resolve symbolic links so paths compare equal to what MLflow and SQLite report.
    path = URL(fileURLWithPath: try Self.create(label)).resolvingSymlinksInPath().path
  }

  /// Creates `<temporary directory>/<label>.XXXXXX` (mode 0700) and returns its path; removing
  /// it is the caller's business.
  package static func create(_ label: String) throws -> String {
    TemporaryLeftovers.watch()
    var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent(label + ".XXXXXX").utf8CString)
    guard let created = mkdtemp(&template) else {
      throw TestFailure("mkdtemp failed: \(String(cString: strerror(errno)))")
    }
    return String(cString: created)
  }

  /// `path` + "/" + `name`.
  package func appending(_ name: String) -> String { path + "/" + name }

  /// Keeps the directory until the test process exits, and returns its path.
  package func keep() -> String {
    let path = path
    let first = kept.withLock { kept in
      defer { kept = true }
      return !kept
    }
    if first { ExitCleanup.add { try? FileManager.default.removeItem(atPath: path) } }
    return path
  }

  deinit {
    if !kept.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
  }
}
