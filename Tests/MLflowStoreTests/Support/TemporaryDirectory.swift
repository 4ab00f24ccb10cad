import Foundation

/// A fresh directory under the system temporary directory, removed when the test is done.
final class TemporaryDirectory {
  let path: String

  init(_ label: String = "mlflow-store") throws {
    var template = Array((NSTemporaryDirectory() + "/\(label).XXXXXX").utf8CString)
    guard let created = mkdtemp(&template) else {
      throw TestFailure("mkdtemp failed: \(String(cString: strerror(errno)))")
    }
    // Resolve symbolic links so paths compare equal to what MLflow and SQLite report.
    path = URL(fileURLWithPath: String(cString: created)).resolvingSymlinksInPath().path
  }

  /// `path` + "/" + `name`.
  func appending(_ name: String) -> String { path + "/" + name }

  private var kept = false

  /// Keeps the directory until the test process exits (for state shared by tests, like a
  /// server's), and returns its path.
  func keep() -> String {
    kept = true
    let path = path
    ProcessGroups.atExit { try? FileManager.default.removeItem(atPath: path) }
    return path
  }

  deinit {
    if !kept { try? FileManager.default.removeItem(atPath: path) }
  }
}

/// An error a test helper throws when its setup cannot be done.
struct TestFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
