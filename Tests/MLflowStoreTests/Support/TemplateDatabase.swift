import ChildProcess
import Foundation
import MLflowStore

/// One database made by `mlflow db upgrade` per test run, copied for each test, so tests do not
/// each pay the ~4 s of MLflow's migrations. Removed when the test process exits.
enum TemplateDatabase {
  private static let directory: String = {
    var template = Array((NSTemporaryDirectory() + "/mlflow-template.XXXXXX").utf8CString)
    let path = mkdtemp(&template).map { String(cString: $0) } ?? NSTemporaryDirectory()
    atexit { try? FileManager.default.removeItem(atPath: TemplateDatabase.directory) }
    return path
  }()

  private static let template = Task { () throws -> String in
    let path = directory + "/template.db"
    let output = try ChildProcess.run(
      PythonMLflow.mlflowExecutable, arguments: ["db", "upgrade", TrackingURI.sqlite(path: path).description],
      environment: PythonMLflow.environment())
    guard output.succeeded else { throw TestFailure("mlflow db upgrade failed: \(output.standardErrorText)") }
    return path
  }

  /// A copy of the template database (MLflow's schema, no experiment yet) at `directory/name`.
  static func copy(into directory: TemporaryDirectory, name: String = "mlflow.db") async throws -> String {
    let destination = directory.appending(name)
    try FileManager.default.copyItem(atPath: try await template.value, toPath: destination)
    return destination
  }

  /// A store on a fresh copy of the template.
  static func store(
    in directory: TemporaryDirectory,
    options: SQLiteTrackingStore.Options = .init()
  ) async throws -> SQLiteTrackingStore {
    try SQLiteTrackingStore(databasePath: try await copy(into: directory), options: options)
  }
}
