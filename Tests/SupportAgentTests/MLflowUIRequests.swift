import Foundation
import TestSupport

/// What the MLflow UI's pages ask a real `mlflow server` for (its `ajax-api` endpoints).
extension MLflowServer {
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
    String(decoding: try await request(path).body, as: UTF8.self)
  }
}
