import ChildProcess
import Foundation
import MLflowStore
import RepositoryFixtures
import Testing
import TestSupport

@Suite("install.sh", .serialized, .tags(.releaseBuild))  // the runs share one build folder
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

  @Test("the installed mlflow-git is a static executable that hands tracking-server commands to mlflow-git-http")
  func staticExecutableAndCompanion() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    var environment = fixture.environment
    environment["MLFLOW_GIT_HOME"] = Self.home
    let install = try await ChildProcess.runLimited(
      "bash", arguments: [ReferenceMLflow.packageRoot + "/install.sh", fixture.repo], environment: environment)
    try #require(install.succeeded, "\(install.standardErrorText)")
    let binary = try FileManager.default.destinationOfSymbolicLink(atPath: Self.home + "/bin/mlflow-git")
    let companion = (binary as NSString).deletingLastPathComponent + "/mlflow-git-http"
    #expect(try await ChildProcess.runLimited("ldd", arguments: [binary]).standardErrorText
      .contains("not a dynamic executable"))
    #expect(try await ChildProcess.runLimited("ldd", arguments: [companion]).standardOutputText.contains("libc.so"))
    // Both say the source version install.sh computed, which names their folder.
    let version = ((binary as NSString).deletingLastPathComponent as NSString).lastPathComponent
    for executable in [binary, companion] {
      let printed = try await ChildProcess.runLimited(executable, arguments: ["--version"]).standardOutputText
      #expect(printed == "mlflow-git \(version)\n", "\(executable)")
    }

    // Alone, without its companion, the static executable runs status on the SQLite store itself …
    let alone = fixture.scratch.root + "/alone"
    try FileManager.default.createDirectory(atPath: alone, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: binary, toPath: alone + "/mlflow-git")
    let local = try await fixture.run(alone + "/mlflow-git", ["status", "--json"], environment: environment)
    #expect(local.succeeded, "\(local.standardErrorText)")
    let localModel = try #require(Self.modelID(in: local.standardOutputText))
    #expect(try await fixture.store().loggedModel(id: localModel).modelID == localModel)

    // … and hands a tracking server's status to mlflow-git-http, which creates the model there.
    let server = try await MLflowServer.started(freshSQLiteIn: fixture.scratch.root + "/server")
    defer { server.stop() }
    environment["MLFLOW_TRACKING_URI"] = server.url
    let served = try await fixture.run(binary, ["status", "--json"], environment: environment)
    #expect(served.succeeded, "\(served.standardErrorText)")
    let servedModel = try #require(Self.modelID(in: served.standardOutputText))
    let stored = try await server.call("/api/2.0/mlflow/logged-models/" + servedModel)
    #expect((stored["model"] as? [String: Any])?["info"].flatMap { ($0 as? [String: Any])?["model_id"] as? String }
      == servedModel)

    // `exec` too, even when its program's own arguments include --help.
    let child = try await fixture.run(
      binary, ["exec", "--", "sh", "-c", "echo \"$MLFLOW_ACTIVE_MODEL_ID\"", "sh", "--help"], environment: environment)
    #expect(child.succeeded, "\(child.standardErrorText)")
    #expect(child.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines) == servedModel)

    // Without the companion, that is a clear error, and nothing loads libcurl.
    let stranded = try await fixture.run(alone + "/mlflow-git", ["status"], environment: environment)
    #expect(stranded.exitStatus == 1)
    #expect(stranded.standardErrorText.contains("mlflow-git-http") && stranded.standardErrorText.contains("install.sh"))
  }

  /// The `modelID` of `mlflow-git status --json` output.
  static func modelID(in json: String) -> String? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
    return object["modelID"] as? String
  }
}
