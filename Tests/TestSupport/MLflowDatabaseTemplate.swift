import ChildProcess
import Foundation

/// A fresh, empty MLflow database made by the real `mlflow db upgrade` once per test process and
/// copied for each test (MLflow's migrations take seconds; a copy takes milliseconds). Removed
/// when the test process exits.
package enum MLflowDatabaseTemplate {
  /// Made on first use (no thread blocks meanwhile); every caller awaits the same path.
  private static let template = Task { () throws -> String in
    let directory = try TemporaryDirectory.create("mlflow-template")
    ExitCleanup.add { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/mlflow.db"
    let output = try await ChildProcess.runLimited(
      try await ReferenceMLflow.mlflowExecutable(), arguments: ["db", "upgrade", "sqlite:///" + path],
      environment: ReferenceMLflow.environment())
    guard output.succeeded else { throw TestFailure("mlflow db upgrade failed: \(output.standardErrorText)") }
    return path
  }

  /// Copies the template to `path` (an `mlflow.db` with MLflow's schema and no rows).
  package static func copy(to path: String) async throws {
    try FileManager.default.copyItem(atPath: try await template.value, toPath: path)
  }

  /// Copies the template to `directory/name` and returns that path.
  @discardableResult
  package static func copy(into directory: TemporaryDirectory, name: String = "mlflow.db") async throws -> String {
    let destination = directory.appending(name)
    try await copy(to: destination)
    return destination
  }
}
