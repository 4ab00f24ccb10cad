import ChildProcess
import Foundation
import Testing
import TestSupport

@Suite("install.sh")
struct InstallScriptTests {
  /// Where install.sh keeps its binaries for the tests: one release build per source version,
  /// shared by every test run on this machine.
  static let home = NSHomeDirectory() + "/.cache/mlflow-git/test-install-home"

  @Test("install.sh builds once, installs hooks that register commits, and --uninstall restores the repository")
  func installAndUninstall() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    try fixture.scratch.writeExecutable("#!/bin/sh\necho mine > /dev/null\n", to: fixture.repo + "/.git/hooks/post-commit")
    let before = try fixture.installFootprint()
    var environment = fixture.environment
    environment["MLFLOW_GIT_HOME"] = Self.home
    let script = ReferenceMLflow.packageRoot + "/install.sh"

    let install = try await ChildProcess.runLimited("bash", arguments: [script, fixture.repo], environment: environment)
    #expect(install.succeeded, "\(install.standardErrorText)")
    #expect(install.standardOutputText.contains("kept your post-commit hook"))
    #expect(install.standardOutputText.contains("next:"))
    #expect(FileManager.default.isExecutableFile(atPath: Self.home + "/bin/mlflow-git"))
    let exclude = try String(contentsOfFile: fixture.repo + "/.git/info/exclude", encoding: .utf8)
    #expect(exclude.contains("mlflow.db") && exclude.contains("mlruns/"))
    #expect(try await fixture.git("status", "--porcelain").output.isEmpty, "mlflow.db is ignored, not untracked")

    try await fixture.git("commit", "-q", "--allow-empty", "-m", "after install")
    let commit = try await fixture.head()
    let sync = try await ChildProcess.runLimited(
      "sh", arguments: ["-c", "cd \"$1\" && \"$2\" sync", "sync", fixture.repo, Self.home + "/bin/mlflow-git"],
      environment: environment)
    #expect(sync.succeeded, "\(sync.standardErrorText)")
    #expect(try await fixture.models(branch: "main", commit: commit).count == 1)

    let again = try await ChildProcess.runLimited("bash", arguments: [script, fixture.repo], environment: environment)
    #expect(again.standardOutputText.contains("already installed"), "a second run reuses the build and changes nothing")

    let uninstall = try await ChildProcess.runLimited("bash", arguments: [script, "--uninstall", fixture.repo], environment: environment)
    #expect(uninstall.succeeded, "\(uninstall.standardErrorText)")
    #expect(try fixture.installFootprint() == before)
  }
}
