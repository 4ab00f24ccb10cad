import ChildProcess
import Foundation
import RepositoryFixtures
import Testing
import TestSupport

/// A ``HookFixture`` for a repository set up with a hook manager: lefthook and pre-commit from
/// PyPI on `PATH` (pre-commit's cache in the scratch folder), an empty `mlflow.db`, and team
/// hooks that log each run to ``teamLog``.
struct ManagerFixture {
  var base: HookFixture
  var repo: String { base.repo }
  var scratch: Scratch { base.scratch }
  /// Where the team's hooks log their runs: `<hook> <arguments>` a line.
  var teamLog: String { base.scratch.root + "/team-hooks.log" }

  init() async throws {
    base = try await HookFixture()
    let tools = try await HookManagers.toolsDirectory()
    base.environment["PATH"] = tools + ":" + (base.environment["PATH"] ?? "/usr/bin:/bin")
    base.environment["PRE_COMMIT_HOME"] = base.scratch.root + "/pre-commit-cache"
    try await MLflowDatabaseTemplate.copy(to: base.databasePath)
  }

  func remove() { base.remove() }

  /// A team hook's shell line that logs its run.
  func logLine(_ hook: String) -> String { "echo \"\(hook) $*\" >> '\(teamLog)'" }

  /// The team hooks' runs so far.
  func teamRuns() -> [String] {
    ((try? String(contentsOfFile: teamLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
  }

  @discardableResult
  func git(_ arguments: String...) async throws -> (output: String, error: String) {
    let result = try await ChildProcess.runAsync("git", arguments: ["-C", repo] + arguments, environment: base.environment)
    guard result.succeeded else {
      throw TestFailure("git \(arguments.joined(separator: " ")) failed: \(result.standardErrorText)")
    }
    return (result.standardOutputText, result.standardErrorText)
  }

  /// `git checkout -q arguments…`, whatever its exit status (a team's post-checkout decides it).
  func checkout(_ arguments: String...) async throws -> ChildProcess.Output {
    try await ChildProcess.runAsync("git", arguments: ["-C", repo, "checkout", "-q"] + arguments, environment: base.environment)
  }

  /// Runs a hook manager (`lefthook`, `pre-commit`) in the repository.
  @discardableResult
  func manager(_ tool: String, _ arguments: String..., in directory: String? = nil) async throws -> ChildProcess.Output {
    let output = try await base.run(try await HookManagers.toolsDirectory() + "/" + tool, arguments, in: directory)
    guard output.succeeded else {
      throw TestFailure("\(tool) \(arguments.joined(separator: " ")) failed: \(output.standardErrorText)\(output.standardOutputText)")
    }
    return output
  }

  func cli(_ arguments: String...) async throws -> ChildProcess.Output {
    try await base.run(HookFixture.cliPath, arguments)
  }

  /// Commits the team's setup files, so they are tracked as in the team's repository (all but
  /// the local MLflow store).
  func commitTeamFiles(_ message: String = "the team's hook setup") async throws {
    try await git("add", "-A")
    try await git("rm", "-q", "--cached", "--ignore-unmatch", "mlflow.db")
    try await git("commit", "-q", "--no-verify", "-m", message)
  }

  /// Whether `git status` shows nothing: no tracked file changed, nothing untracked.
  func treeIsClean() async throws -> Bool {
    try await git("status", "--porcelain", "--untracked-files=all").output.isEmpty
  }

  /// Makes a commit and returns it with the team's post-commit runs it caused and whether it
  /// became a version in mlflow.db (after the background worker and a sync).
  func commitAndCheck(_ message: String) async throws -> (commit: String, teamPostCommitRan: Bool, registered: Bool) {
    let runsBefore = teamRuns().filter { $0.hasPrefix("post-commit") }.count
    try await git("commit", "-q", "--allow-empty", "-m", message)
    let commit = try await base.head()
    try await base.sync()
    let ran = teamRuns().filter { $0.hasPrefix("post-commit") }.count == runsBefore + 1
    let registered = try await base.models(branch: "main", commit: commit).count == 1
    return (commit, ran, registered)
  }

  /// The files under `roots` that hold an mlflow-git hook (either kind).
  func mlflowGitHooks(in roots: [String]) -> [String] {
    var found: [String] = []
    for root in roots {
      let enumerator = FileManager.default.enumerator(atPath: root)
      while let name = enumerator?.nextObject() as? String {
        let path = root + "/" + name
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
        if text.contains("# mlflow-git hook") || text.contains("# mlflow-git forwarding hook")
          || text.contains("mlflow-git/hooks/")
        {
          found.append(path)
        }
      }
    }
    return found
  }

  /// The checks each manager's case makes, in order: install; tree clean; a commit runs the
  /// team's post-commit and is registered; `resync` (the manager re-installing its hooks); the
  /// same again and no notice; uninstall restores every byte and leaves no mlflow-git hook.
  ///
  /// - Parameters:
  ///   - install: The install command's arguments.
  ///   - extraFolders: Folders outside the repository install may touch (a global hooks folder).
  ///   - ignoring: Paths whose content may differ after uninstall, with why (the caller says).
  @discardableResult
  func checkLifecycle(
    install: [String] = ["install"], extraFolders: [String] = [], ignoring: Set<String> = [],
    resync: () async throws -> Void
  ) async throws -> ChildProcess.Output {
    let before = try base.installFootprint(extra: extraFolders)
    let installed = try await base.run(HookFixture.cliPath, install)
    try #require(installed.succeeded, "install failed: \(installed.standardErrorText)")
    #expect(try await treeIsClean(), "install leaves the tree clean")
    for transient in ["mlflow.db-journal", "mlflow.db-wal", "mlflow.db.lock"] {
      #expect(try await git("check-ignore", transient).output == transient + "\n", "SQLite's \(transient) is ignored too")
    }
    let first = try await commitAndCheck("first commit with mlflow-git")
    #expect(first.teamPostCommitRan, "the team's post-commit ran; runs: \(teamRuns())")
    #expect(first.registered, "the commit is a version")
    let again = try await base.run(HookFixture.cliPath, install)
    #expect(again.standardOutputText.contains("already installed"), "installing twice changes nothing: \(again.standardOutputText)")

    try await resync()
    let second = try await commitAndCheck("a commit after the manager re-synced")
    #expect(second.teamPostCommitRan, "the team's post-commit still runs after the re-sync; runs: \(teamRuns())")
    #expect(second.registered, "registration survives the re-sync")
    let status = try await cli("status")
    #expect(status.succeeded)
    #expect(!status.standardErrorText.contains("hooks are gone"), "no notice while the hooks run: \(status.standardErrorText)")
    let porcelain = try await git("status", "--porcelain", "--untracked-files=all").output
    #expect(porcelain.isEmpty, "the tree is still clean: \(porcelain)")

    let uninstalled = try await cli("uninstall")
    try #require(uninstalled.succeeded, "uninstall failed: \(uninstalled.standardErrorText)")
    let after = try base.installFootprint(extra: extraFolders)
    let changed = HookFixture.differences(before, after).filter { path in !ignoring.contains { path.hasPrefix($0) } }
    #expect(changed.isEmpty, "uninstall restores every byte; changed: \(changed)")
    let left = mlflowGitHooks(in: [repo + "/.git/hooks", repo + "/.git/mlflow-git", repo + "/.husky", repo + "/.githooks"] + extraFolders)
    #expect(left.isEmpty, "no mlflow-git hook is left: \(left)")
    let journal = base.stateDirectory + "/journal"
    let journaled = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
    try await git("commit", "-q", "--allow-empty", "-m", "after uninstall")
    #expect(((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "") == journaled, "nothing journals after uninstall")
    return installed
  }
}
