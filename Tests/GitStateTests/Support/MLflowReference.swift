import Foundation
import GitState
import Testing
import TestSupport

/// What Python MLflow 3.17.2's own git versioning (`GitInfo.from_env`, GitPython) reads for a
/// directory: the oracle the Swift reader is checked against.
struct MLflowGitInfo: Decodable {
  var branch: String?
  var commit: String?
  var dirty: Bool?
  var repo_url: String?
  var diff_base64: String?
  var error: String?
  var uncaught: Bool?

  var diff: [UInt8]? { diff_base64.map { Array(Data(base64Encoded: $0)!) } }

  /// Runs MLflow's algorithm in `directory` with the scratch environment.
  static func read(in directory: String, remote: String = "origin", scratch: Scratch) async throws -> MLflowGitInfo {
    let script = ReferenceMLflow.packageRoot + "/Tests/GitStateTests/Support/mlflow_git_info.py"
    let output = try await ReferenceMLflow.runScript(script, [directory, remote], environment: scratch.environment)
    return try JSONDecoder().decode(MLflowGitInfo.self, from: Data(output))
  }

  /// Checks that a Swift snapshot records exactly what MLflow records for the same state.
  static func expectSame(_ snapshot: GitSnapshot, as reference: MLflowGitInfo, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(reference.error == nil, "MLflow failed: \(reference.error ?? "")", sourceLocation: sourceLocation)
    #expect(snapshot.branch == reference.branch, sourceLocation: sourceLocation)
    #expect(snapshot.commit == reference.commit, sourceLocation: sourceLocation)
    #expect(snapshot.isDirty == reference.dirty, sourceLocation: sourceLocation)
    #expect(snapshot.remoteURL?.raw == reference.repo_url, sourceLocation: sourceLocation)
    #expect(snapshot.diff?.bytes == reference.diff, "diff differs from MLflow's", sourceLocation: sourceLocation)
  }
}
