import ChildProcess
import Foundation

/// The real hook managers the hook tests integrate with: lefthook and pre-commit from PyPI, in
/// the private environment `scripts/setup-hook-managers.sh` makes.
package enum HookManagers {
  /// The folder holding `lefthook` and `pre-commit`: `$MLFLOW_GIT_TEST_TOOLS` (set by
  /// scripts/test.sh), else what scripts/setup-hook-managers.sh installs or finds (once per test
  /// process). A test never skips for want of them: it fails and says why.
  package static func toolsDirectory() async throws -> String { try await tools.value }

  private static let tools = Task { () throws -> String in
    if let tools = ProcessInfo.processInfo.environment["MLFLOW_GIT_TEST_TOOLS"], !tools.isEmpty { return tools }
    let output = try await ChildProcess.runAsync(
      "/bin/bash", arguments: [ReferenceMLflow.packageRoot + "/scripts/setup-hook-managers.sh"])
    let path = output.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)
    guard output.succeeded, !path.isEmpty else {
      throw TestFailure("MLFLOW_GIT_TEST_TOOLS is unset and scripts/setup-hook-managers.sh failed: \(output.standardErrorText)")
    }
    return path
  }
}
