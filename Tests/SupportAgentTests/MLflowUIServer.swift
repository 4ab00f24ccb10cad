import Foundation
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `mlflow server` (Python MLflow 3.17.2) on 127.0.0.1 over an `mlflow.db`, serving the
/// MLflow UI and the `ajax-api` endpoints its pages call. Stopped by ``stop()``.
final class MLflowUIServer: Sendable {
  /// `http://127.0.0.1:<port>`.
  let url: String
  private let process: BackgroundProcess

  init(database: String, in directory: String) async throws {
    let port = try BackgroundProcess.freePort()
    url = "http://127.0.0.1:\(port)"
    var environment = ProcessInfo.processInfo.environment
    environment["MLFLOW_DISABLE_TELEMETRY"] = "true"
    environment["DO_NOT_TRACK"] = "true"
    environment["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    environment["MLFLOW_TRACKING_URI"] = nil
    process = try BackgroundProcess(
      try ReferenceMLflow.mlflowExecutable(),
      [
        "server", "--backend-store-uri", "sqlite:///" + database, "--default-artifact-root", directory + "/mlartifacts",
        "--host", "127.0.0.1", "--port", String(port), "--workers", "1",
      ], in: directory, environment: environment, logPath: directory + "/mlflow-server.log")
    let deadline = ContinuousClock.now + .seconds(180)
    while ContinuousClock.now < deadline {
      if let (_, response) = try? await URLSession.shared.data(from: URL(string: url + "/health")!),
        (response as? HTTPURLResponse)?.statusCode == 200
      {
        return
      }
      guard process.isRunning else { break }
      try await Task.sleep(for: .milliseconds(250))
    }
    process.stop()
    throw TestFailure("mlflow server did not answer /health: \(process.log.suffix(3000))")
  }

  /// Calls `path` as the UI's pages do (JSON body for POST) and decodes the JSON answer.
  func call(_ path: String, method: String = "GET", body: [String: Any]? = nil) async throws -> [String: Any] {
    var request = URLRequest(url: URL(string: url + path)!)
    request.httpMethod = method
    if let body {
      request.httpBody = try JSONSerialization.data(withJSONObject: body)
      request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let (data, response) = try await URLSession.shared.data(for: request)
    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
    guard status == 200, let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw TestFailure("\(method) \(path) answered \(status): \(String(decoding: data.prefix(500), as: UTF8.self))")
    }
    return json
  }

  /// The versions, as the "Agent versions" tab (`#/experiments/0/models`) loads them.
  func searchVersions() async throws -> [[String: Any]] {
    let answer = try await call(
      "/ajax-api/2.0/mlflow/logged-models/search", method: "POST",
      body: [
        "experiment_ids": ["0"], "order_by": [["field_name": "creation_time", "ascending": false]], "filter": "",
      ])
    return (answer["models"] as? [[String: Any]])?.compactMap { $0["info"] as? [String: Any] } ?? []
  }

  /// A version's traces, as its Traces tab (`#/experiments/0/models/<id>/traces`) loads them.
  func searchTraces(modelID: String) async throws -> [[String: Any]] {
    let answer = try await call(
      "/ajax-api/3.0/mlflow/traces/search", method: "POST",
      body: [
        "locations": [["type": "MLFLOW_EXPERIMENT", "mlflow_experiment": ["experiment_id": "0"]]],
        "filter": "request_metadata.\"mlflow.modelId\" = '\(modelID)'", "max_results": 100,
        "order_by": ["timestamp_ms DESC"],
      ])
    return answer["traces"] as? [[String: Any]] ?? []
  }

  /// The UI page's HTML at `path`.
  func page(_ path: String) async throws -> String {
    let (data, _) = try await URLSession.shared.data(from: URL(string: url + path)!)
    return String(decoding: data, as: UTF8.self)
  }

  func stop() { process.stop() }
}
