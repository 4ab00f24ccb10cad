import ChildProcess
import Foundation

/// The real Python MLflow 3.17.2 the tests compare against, installed by
/// `scripts/setup-python.sh` into a shared virtual environment.
package enum ReferenceMLflow {
  /// The package's root folder.
  package static let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()

  /// The Python with MLflow: `$MLFLOW_GIT_PYTHON` (set by scripts/test.sh), else what
  /// scripts/setup-python.sh installs or finds (run once per test process, on a thread of its
  /// own). A test never skips for want of it: it fails and says why.
  package static func pythonPath() async throws -> String { try await python.value }

  /// Started on first use; every caller awaits the same answer.
  private static let python = Task { () throws -> String in
    if let python = ProcessInfo.processInfo.environment["MLFLOW_GIT_PYTHON"], !python.isEmpty { return python }
    let output = try await ChildProcess.runAsync("/bin/bash", arguments: [packageRoot + "/scripts/setup-python.sh"])
    let path = output.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)
    guard output.succeeded, !path.isEmpty else {
      throw TestFailure("MLFLOW_GIT_PYTHON is unset and scripts/setup-python.sh failed: \(output.standardErrorText)")
    }
    return path
  }

  /// The `mlflow` command next to that Python.
  package static func mlflowExecutable() async throws -> String {
    (try await pythonPath() as NSString).deletingLastPathComponent + "/mlflow"
  }

  /// The environment for every MLflow process the tests start: the test process's, with
  /// telemetry off, synchronous trace export, no inherited tracking settings, and
  /// `MLFLOW_TRACKING_URI` = `trackingURI` when given.
  package static func environment(trackingURI: String? = nil) -> [String: String] {
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

  /// Runs `python script arguments…` with `environment` and returns standard output; a
  /// non-zero exit fails with the script's standard error. Runs through
  /// ``ChildProcess/runLimited(_:arguments:environment:standardInput:outputLimit:)``: no thread
  /// blocks, and at most one slow child per core runs.
  package static func runScript(_ script: String, _ arguments: [String], environment: [String: String]) async throws
    -> [UInt8]
  {
    let output = try await ChildProcess.runLimited(
      try await pythonPath(), arguments: [script] + arguments, environment: environment)
    guard output.succeeded else {
      throw TestFailure("\((script as NSString).lastPathComponent) failed: \(output.standardErrorText)")
    }
    return output.standardOutput
  }

  /// Runs Python code with `environment` and decodes the JSON it prints last. Runs through
  /// ``ChildProcess/runLimited(_:arguments:environment:standardInput:outputLimit:)``.
  package static func runJSON(_ code: String, environment: [String: String]) async throws -> Any {
    let output = try await ChildProcess.runLimited(try await pythonPath(), arguments: ["-c", code], environment: environment)
    guard output.succeeded else { throw TestFailure("python failed: \(output.standardErrorText)") }
    let lines = output.standardOutputText.split(separator: "\n")
    guard let last = lines.last else { throw TestFailure("python printed nothing") }
    return try JSONSerialization.jsonObject(with: Data(last.utf8))
  }

  /// A logged model as Python MLflow's `MlflowClient.search_logged_models` returns it.
  package struct StoredModel: Sendable, Hashable {
    package var experimentName: String
    package var modelID: String
    /// `READY`, `PENDING` or `FAILED`.
    package var status: String
    package var tags: [String: String]

    /// Its `mlflow.source.git.branch` and `mlflow.source.git.commit` tags.
    package var branch: String? { tags["mlflow.source.git.branch"] }
    package var commit: String? { tags["mlflow.source.git.commit"] }
  }

  /// Every active logged model in every experiment of the store `trackingURI`, read by Python
  /// MLflow (`search_experiments`, then `search_logged_models`, page by page): the oracle for
  /// what mlflow-git registered. `environment` adds variables (credentials) to
  /// ``environment(trackingURI:)``.
  package static func loggedModels(trackingURI: String, environment extra: [String: String] = [:]) async throws
    -> [StoredModel]
  {
    let code = """
      import json
      from mlflow import MlflowClient
      from mlflow.entities import ViewType
      client = MlflowClient()
      models = []
      for experiment in client.search_experiments(view_type=ViewType.ALL, max_results=50000):
          token = None
          while True:
              page = client.search_logged_models(
                  experiment_ids=[experiment.experiment_id], max_results=100, page_token=token)
              for model in page:
                  models.append([experiment.name, model.model_id, str(model.status), model.tags])
              token = page.token
              if not token:
                  break
      print(json.dumps(models))
      """
    let output = try await runJSON(code, environment: environment(trackingURI: trackingURI).merging(extra) { $1 })
    guard let rows = output as? [[Any]] else { throw TestFailure("unexpected search_logged_models output: \(output)") }
    return rows.map { row in
      StoredModel(
        experimentName: row[0] as? String ?? "", modelID: row[1] as? String ?? "", status: row[2] as? String ?? "",
        tags: row[3] as? [String: String] ?? [:])
    }
  }
}
