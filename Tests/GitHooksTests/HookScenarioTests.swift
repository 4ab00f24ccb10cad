import ChildProcess
import Foundation
import MLflowStore
import RepositoryFixtures
import Testing
import TestSupport

@Suite("Hooks register every state git produces")
struct HookScenarioTests {
  @Test("commit, amend, switch -c, checkout, merges, pull, rebase, cherry-pick, worktree add: each state has its model")
  func everyOperation() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    let userLog = fixture.scratch.root + "/user-hook.log"
    try fixture.scratch.writeExecutable("#!/bin/sh\necho \"post-commit $*\" >> '\(userLog)'\n", to: fixture.repo + "/.git/hooks/post-commit")
    let install = try await fixture.cli("install")
    #expect(install.succeeded, "\(install.standardErrorText)")
    #expect(install.standardOutputText.contains("kept your post-commit hook"))

    var expected: [(branch: String, commit: String)] = [("main", try await fixture.head())]
    try fixture.scratch.write("v2\n", to: fixture.repo + "/app.py")
    let commit = try await fixture.git("commit", "-qam", "two")
    #expect(commit.output.isEmpty && commit.error.isEmpty, "hooks print nothing on success")
    expected.append(("main", try await fixture.head()))
    try await fixture.git("commit", "-q", "--amend", "-m", "two, amended")
    expected.append(("main", try await fixture.head()))

    try await fixture.git("switch", "-q", "-c", "feature/x")
    expected.append(("feature/x", try await fixture.head()))
    for index in 1...3 {
      try fixture.scratch.write("feature \(index)\n", to: fixture.repo + "/feature.txt")
      try await fixture.git("add", "feature.txt")
      try await fixture.git("commit", "-qm", "feature \(index)")
      expected.append(("feature/x", try await fixture.head()))
    }
    try await fixture.git("checkout", "-q", "main")
    try fixture.scratch.write("main 3\n", to: fixture.repo + "/main.txt")
    try await fixture.git("add", "main.txt")
    try await fixture.git("commit", "-qm", "main three")
    let mainTip = try await fixture.head()
    expected.append(("main", mainTip))

    // Rebase of several commits: only the final commits are versions of feature/x.
    try await fixture.git("checkout", "-q", "feature/x")
    try await fixture.git("rebase", "-q", "main")
    let rebased = try await fixture.git("rev-list", "--reverse", "main..feature/x").output.split(separator: "\n").map(String.init)
    #expect(rebased.count == 3)
    for commit in rebased { expected.append(("feature/x", commit)) }

    // Fast-forward merge, then a true merge, then a cherry-pick.
    try await fixture.git("checkout", "-q", "main")
    try await fixture.git("merge", "-q", "--ff-only", "feature/x")
    expected.append(("main", try await fixture.head()))
    try await fixture.git("switch", "-q", "-c", "side", "HEAD~1")
    expected.append(("side", try await fixture.head()))
    try fixture.scratch.write("side\n", to: fixture.repo + "/side.txt")
    try await fixture.git("add", "side.txt")
    try await fixture.git("commit", "-qm", "side")
    let side = try await fixture.head()
    expected.append(("side", side))
    try await fixture.git("checkout", "-q", "main")
    try await fixture.git("merge", "-q", "--no-ff", "--no-edit", "side")
    expected.append(("main", try await fixture.head()))
    try await fixture.git("switch", "-q", "-c", "picked", "HEAD~1")
    expected.append(("picked", try await fixture.head()))
    try await fixture.git("cherry-pick", side)
    expected.append(("picked", try await fixture.head()))

    // A linked worktree shares the hooks; its versions go to its own default store (MLflow's
    // mlflow.db is relative to where the app runs).
    let worktree = fixture.scratch.root + "/wt"
    try await fixture.git("worktree", "add", "-q", "-b", "in-worktree", worktree, "main")
    let worktreeCommit = try await fixture.git("rev-parse", "main").output.trimmingCharacters(in: .whitespacesAndNewlines)
    let upstream = fixture.scratch.root + "/upstream"
    try fixture.scratch.git(["clone", "-q", fixture.repo, upstream, "-b", "main"])
    try fixture.scratch.git(["-C", upstream, "commit", "-q", "--allow-empty", "-m", "upstream work"])
    let upstreamTip = try fixture.scratch.git(["-C", upstream, "rev-parse", "HEAD"])
    try await fixture.git("checkout", "-q", "main")
    try await fixture.git("pull", "-q", "--ff-only", upstream, "main")
    expected.append(("main", upstreamTip))

    try await fixture.sync()
    let journal = (try? String(contentsOfFile: fixture.stateDirectory + "/journal", encoding: .utf8)) ?? ""
    for (branch, commit) in expected {
      let models = try await fixture.models(branch: branch, commit: commit)
      #expect(
        models.count == 1,
        "\(branch)@\(commit.prefix(7)) should have exactly one model, has \(models.count); journal:\n\(journal)")
      if let model = models.first {
        #expect(model.status == .ready)
        #expect(model.tags["mlflow.source.git.repoURL"] == "https://git.example.com/acme/app.git")
        #expect(model.name == branch.replacing("/", with: "-") + "-" + commit.prefix(7))
      }
    }
    // Nothing but these states: intermediate rebase commits were not registered.
    #expect(try await fixture.models().count == Set(expected.map { "\($0.branch) \($0.commit)" }).count)
    let worktreeStore = try SQLiteTrackingStore(databasePath: worktree + "/mlflow.db", options: .init(createIfMissing: false))
    let inWorktree = try await worktreeStore.searchLoggedModels(
      LoggedModelSearch(experimentIDs: ["0"], tags: ["mlflow.source.git.branch": "in-worktree"])
    ).models
    #expect(inWorktree.map { $0.tags["mlflow.source.git.commit"] } == [worktreeCommit])
    let userRuns = try String(contentsOfFile: userLog, encoding: .utf8)
    #expect(userRuns.split(separator: "\n").count >= 7, "the user's post-commit hook kept running")
  }

  @Test("core.hooksPath is honoured: git runs mlflow-git's forwarding folder, the configured folder is not written")
  func hooksPath() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    try await fixture.git("config", "core.hooksPath", ".hooks")
    #expect(try await fixture.cli("install").succeeded)
    #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.hooks"))
    #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.git/hooks/post-commit"))
    #expect(try await fixture.git("rev-parse", "--git-path", "hooks").output.hasSuffix("/.git/mlflow-git/hooks\n"))
    #expect(try await fixture.git("config", "core.hooksPath").output.hasSuffix("/.git/mlflow-git/hooks\n"))
    try await fixture.git("commit", "-q", "--allow-empty", "-m", "through the forwarding folder")
    try await fixture.sync()
    #expect(try await fixture.models(branch: "main", commit: try await fixture.head()).count == 1)
  }

  @Test("install twice changes nothing; uninstall restores every file byte for byte")
  func installIsIdempotentAndReversible() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    try fixture.scratch.writeExecutable("#!/bin/sh\nexit 0\n", to: fixture.repo + "/.git/hooks/post-merge")
    let before = try fixture.installFootprint()
    #expect(try await fixture.cli("install", "--mlflow-executable", "/opt/mlflow/bin/mlflow").succeeded)
    let installed = try fixture.installFootprint()
    #expect(installed != before)
    #expect(try await fixture.git("config", "--get", "mlflow-git.mlflowExecutable").output == "/opt/mlflow/bin/mlflow\n")
    let again = try await fixture.cli("install", "--mlflow-executable", "/opt/mlflow/bin/mlflow")
    #expect(again.standardOutputText.contains("already installed"))
    #expect(try fixture.installFootprint() == installed)
    #expect(try await fixture.cli("uninstall").succeeded)
    #expect(try fixture.installFootprint() == before)
  }

  @Test("a hook never fails git and never prints, even when mlflow-git is gone")
  func hookNeverFails() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    #expect(try await fixture.cli("install").succeeded)
    let hook = try String(contentsOfFile: fixture.repo + "/.git/hooks/post-commit", encoding: .utf8)
    try fixture.scratch.writeExecutable(
      hook.replacing(HookFixture.cliPath, with: fixture.scratch.root + "/deleted/mlflow-git"),
      to: fixture.repo + "/.git/hooks/post-commit")
    let result = try await fixture.git("commit", "-q", "--allow-empty", "-m", "still fine")
    #expect(result.output.isEmpty && result.error.isEmpty)
    let journal = try String(contentsOfFile: fixture.stateDirectory + "/journal", encoding: .utf8)
    #expect(journal.contains(try await fixture.head()), "the state is journaled for a later delivery")
  }

  @Test("a user's failing post-checkout fails checkout exactly as it did before install")
  func chainedExitStatus() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    try fixture.scratch.writeExecutable("#!/bin/sh\necho from-user-hook >&2\nexit 3\n", to: fixture.repo + "/.git/hooks/post-checkout")
    let before = try await ChildProcess.runAsync(
      "git", arguments: ["-C", fixture.repo, "checkout", "-q", "-b", "before"], environment: fixture.environment)
    #expect(before.exitStatus != 0)
    #expect(try await fixture.cli("install").succeeded)
    let after = try await ChildProcess.runAsync(
      "git", arguments: ["-C", fixture.repo, "checkout", "-q", "-b", "after"], environment: fixture.environment)
    #expect(after.exitStatus == before.exitStatus)
    #expect(after.standardErrorText == before.standardErrorText)
  }

  @Test("uninstall removes the clean-check records from every worktree's Git directory")
  func uninstallRemovesStatusRecords() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    #expect(try await fixture.cli("install").succeeded)
    let worktree = fixture.scratch.root + "/wt"
    try await fixture.git("worktree", "add", "-q", "-b", "side", worktree, "main")
    let worktreeGitDirectory = fixture.repo + "/.git/worktrees/wt"
    try await fixture.cli("status")
    let inWorktree = try await ChildProcess.runLimited(
      "sh", arguments: ["-c", "cd \"$1\" && shift && exec \"$@\"", "mlflow-git", worktree, HookFixture.cliPath, "status"],
      environment: fixture.environment)
    #expect(inWorktree.succeeded, "\(inWorktree.standardErrorText)")
    #expect(FileManager.default.fileExists(atPath: fixture.stateDirectory + "/index-matches-head"))
    #expect(FileManager.default.fileExists(atPath: worktreeGitDirectory + "/mlflow-git/index-matches-head"))

    #expect(try await fixture.cli("uninstall").succeeded)
    #expect(!FileManager.default.fileExists(atPath: fixture.stateDirectory + "/index-matches-head"))
    #expect(!FileManager.default.fileExists(atPath: worktreeGitDirectory + "/mlflow-git"))
  }
}
