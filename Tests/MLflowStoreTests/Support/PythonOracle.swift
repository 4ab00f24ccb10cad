import ChildProcess
import Foundation
import MLflowStore
import TestSupport

/// Python/oracle.py: operations of the real Python MLflow run in one process, the results the
/// Swift stores are compared against.
extension ReferenceMLflow {
  /// Runs `operations` against the database at `databasePath`; one result per operation.
  static func runOracle(_ operations: [[String: Any]], databasePath: String) async throws -> [Any] {
    try await runOracle(operations, trackingURI: TrackingURI.sqlite(path: databasePath).description)
  }

  /// Runs `operations` against any tracking URI (e.g. a server's), with `extra` variables.
  /// Runs through `ChildProcess.runLimited`: no thread blocks.
  static func runOracle(_ operations: [[String: Any]], trackingURI: String, extra: [String: String] = [:]) async throws
    -> [Any]
  {
    let script = packageRoot + "/Tests/MLflowStoreTests/Python/oracle.py"
    let input = try JSONSerialization.data(withJSONObject: ["operations": operations])
    let output = try await ChildProcess.runLimited(
      try await pythonPath(), arguments: [script],
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
