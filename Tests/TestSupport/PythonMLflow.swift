import ChildProcess
import Foundation

/// The real Python MLflow 3.17.2 the tests compare against, installed by
/// `scripts/setup-python.sh` into a shared virtual environment.
public enum ReferenceMLflow {
  /// The package's root folder.
  public static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// The Python with MLflow: `$MLFLOW_GIT_PYTHON` (set by scripts/test.sh), else what
  /// scripts/setup-python.sh installs or finds.
  public static func pythonPath() throws -> String {
    if let python = ProcessInfo.processInfo.environment["MLFLOW_GIT_PYTHON"], !python.isEmpty { return python }
    let output = try ChildProcess.run(packageRoot + "/scripts/setup-python.sh", arguments: [])
    guard output.succeeded else {
      throw TestFailure("scripts/setup-python.sh failed: \(output.standardErrorText)")
    }
    return output.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The `mlflow` command next to that Python.
  public static func mlflowExecutable() throws -> String {
    (try pythonPath() as NSString).deletingLastPathComponent + "/mlflow"
  }

  /// Runs `python script arguments…` with `environment` and returns standard output; a
  /// non-zero exit fails with the script's standard error.
  public static func runScript(_ script: String, _ arguments: [String], environment: [String: String]) throws -> [UInt8] {
    let output = try ChildProcess.run(try pythonPath(), arguments: [script] + arguments, environment: environment)
    guard output.succeeded else {
      throw TestFailure("\((script as NSString).lastPathComponent) failed: \(output.standardErrorText)")
    }
    return output.standardOutput
  }

  /// Runs Python code with `environment` and decodes the JSON it prints last.
  public static func runJSON(_ code: String, environment: [String: String]) throws -> Any {
    let output = try ChildProcess.run(try pythonPath(), arguments: ["-c", code], environment: environment)
    guard output.succeeded else { throw TestFailure("python failed: \(output.standardErrorText)") }
    let lines = output.standardOutputText.split(separator: "\n")
    guard let last = lines.last else { throw TestFailure("python printed nothing") }
    return try JSONSerialization.jsonObject(with: Data(last.utf8))
  }
}

/// A fresh, empty MLflow database created by the real `mlflow db upgrade` once per test run and
/// copied for each test (creating one takes seconds; copying takes milliseconds).
public enum MLflowDatabaseTemplate {
  private static let template: Result<String, any Error> = Result {
    let directory = NSTemporaryDirectory() + "mlflow-git-template-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = directory + "/mlflow.db"
    var environment = ProcessInfo.processInfo.environment
    environment["MLFLOW_DISABLE_TELEMETRY"] = "true"
    environment["DO_NOT_TRACK"] = "true"
    let output = try ChildProcess.run(
      try ReferenceMLflow.mlflowExecutable(), arguments: ["db", "upgrade", "sqlite:///" + path], environment: environment)
    guard output.succeeded else { throw TestFailure("mlflow db upgrade failed: \(output.standardErrorText)") }
    return path
  }

  /// Copies the template to `path` (an `mlflow.db` with MLflow's schema and no rows).
  public static func copy(to path: String) throws {
    try FileManager.default.copyItem(atPath: try template.get(), toPath: path)
  }
}

/// Executables this package builds, found next to the running test bundle.
public enum BuiltProducts {
  /// The path of the built executable `name` (e.g. `mlflow-git`).
  public static func executable(named name: String) -> String {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while directory.path != "/" {
      let candidate = directory.appendingPathComponent(name).path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      directory.deleteLastPathComponent()
    }
    return name
  }
}
