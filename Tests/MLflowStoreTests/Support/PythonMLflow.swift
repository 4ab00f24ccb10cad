import ChildProcess
import Foundation
import MLflowStore

/// Real Python MLflow 3.17.2, the oracle the tests compare against.
///
/// Its python comes from `MLFLOW_GIT_PYTHON` (exported by scripts/test.sh), else from running
/// scripts/setup-python.sh, which installs it on first use. A test never skips for want of it.
enum PythonMLflow {
  /// The package root, found from this file's location.
  static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// The venv's python executable.
  static let python: String = {
    if let configured = ProcessInfo.processInfo.environment["MLFLOW_GIT_PYTHON"], !configured.isEmpty {
      return configured
    }
    // A name that cannot be run, so every test using Python fails and says why.
    let unavailable = "MLFLOW_GIT_PYTHON-unset-and-scripts-setup-python.sh-failed"
    guard let output = try? ChildProcess.run("/bin/bash", arguments: [packageRoot + "/scripts/setup-python.sh"]),
      output.succeeded
    else { return unavailable }
    let path = output.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)
    return path.isEmpty ? unavailable : path
  }()

  /// The `mlflow` command next to the python.
  static var mlflowExecutable: String {
    URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("mlflow").path
  }

  /// The environment for every MLflow process the tests start: telemetry off, synchronous
  /// trace export, and no inherited tracking settings.
  static func environment(trackingURI: String? = nil) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    for key in ["MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID", "MLFLOW_ACTIVE_MODEL_ID"] {
      environment[key] = nil
    }
    environment["MLFLOW_DISABLE_TELEMETRY"] = "true"
    environment["DO_NOT_TRACK"] = "true"
    environment["MLFLOW_ENABLE_ASYNC_TRACE_LOGGING"] = "false"
    environment["GIT_PYTHON_REFRESH"] = "quiet"
    if let trackingURI { environment["MLFLOW_TRACKING_URI"] = trackingURI }
    return environment
  }

  /// Runs `operations` (see Python/oracle.py) in one Python process against the database at
  /// `databasePath` and returns one result per operation.
  static func run(_ operations: [[String: Any]], databasePath: String) throws -> [Any] {
    try run(operations, trackingURI: TrackingURI.sqlite(path: databasePath).description)
  }

  /// Runs `operations` against any tracking URI (e.g. a server's), with `extra` variables.
  static func run(_ operations: [[String: Any]], trackingURI: String, extra: [String: String] = [:]) throws -> [Any] {
    let script = packageRoot + "/Tests/MLflowStoreTests/Python/oracle.py"
    let input = try JSONSerialization.data(withJSONObject: ["operations": operations])
    let output = try ChildProcess.run(
      python, arguments: [script],
      environment: environment(trackingURI: trackingURI).merging(extra) { $1 },
      standardInput: Array(input))
    guard output.succeeded else {
      throw TestFailure("oracle.py exited with \(output.exitStatus): \(output.standardErrorText.suffix(3000))")
    }
    let json = try JSONSerialization.jsonObject(with: Data(output.standardOutput)) as? [String: Any]
    guard let results = json?["results"] as? [Any], results.count == operations.count else {
      throw TestFailure("oracle.py printed no results: \(output.standardOutputText.prefix(2000))")
    }
    return results
  }
}
