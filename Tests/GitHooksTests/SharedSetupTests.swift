import ChildProcess
import Foundation
import RepositoryFixtures
import Testing
import TestSupport

/// `mlflow-git install --shared`: the manager's own configuration, which the team commits; each
/// teammate's `mlflow-git install` then uses it, and clones without mlflow-git are not bothered.
@Suite("Shared setups (--shared)")
struct SharedSetupTests {
  /// Commits what `install --shared` wrote, then checks a teammate's clone: with mlflow-git
  /// installed its commits register and its tree stays clean; `prepare` sets the clone's hook
  /// manager up first.
  static func checkTeammate(_ fixture: ManagerFixture, prepare: (String) async throws -> Void) async throws {
    let clone = fixture.scratch.root + "/teammate"
    try fixture.scratch.git(["clone", "-q", fixture.repo, clone])
    try await prepare(clone)
    try await MLflowDatabaseTemplate.copy(to: clone + "/mlflow.db")
    let install = try await fixture.base.run(HookFixture.cliPath, ["install"], in: clone)
    try #require(install.succeeded, "\(install.standardErrorText)")
    #expect(!install.standardOutputText.contains("to share this setup"), "a teammate has nothing to commit: \(install.standardOutputText)")
    let status = try fixture.scratch.git(["-C", clone, "status", "--porcelain", "--untracked-files=all"])
    #expect(status.isEmpty, "the teammate's tree is clean: \(status)")
    try fixture.scratch.git(["-C", clone, "commit", "-q", "--allow-empty", "-m", "teammate"], environment: fixture.base.environment)
    let commit = try fixture.scratch.git(["-C", clone, "rev-parse", "HEAD"])
    let sync = try await fixture.base.run(HookFixture.cliPath, ["sync"], in: clone)
    #expect(sync.succeeded, "\(sync.standardErrorText)")
    let versions = try await fixture.base.run(HookFixture.cliPath, ["versions", "--json"], in: clone)
    #expect(versions.standardOutputText.contains(commit), "the teammate's commit is a version")
  }

  /// `install --shared`, a commit of what it wrote, and a registered commit.
  static func installShared(_ fixture: ManagerFixture, expecting files: [String]) async throws {
    let install = try await fixture.cli("install", "--shared")
    try #require(install.succeeded, "\(install.standardErrorText)")
    #expect(install.standardOutputText.contains("commit " + files.joined(separator: ", ")), "\(install.standardOutputText)")
    let changed = try await fixture.git("status", "--porcelain", "--untracked-files=all").output
    #expect(Set(changed.split(separator: "\n").map { String($0.dropFirst(3)) }) == Set(files), "only those files: \(changed)")
    try await fixture.commitTeamFiles("mlflow-git for the team")
    let commit = try await fixture.commitAndCheck("registered through the shared setup")
    #expect(commit.registered)
  }

  /// Uninstall takes out what install --shared wrote (the team commits that) and every hook.
  static func uninstallShared(_ fixture: ManagerFixture, restoring files: [String: Data]) async throws {
    let uninstall = try await fixture.cli("uninstall")
    try #require(uninstall.succeeded, "\(uninstall.standardErrorText)")
    for (path, bytes) in files {
      #expect(FileManager.default.contents(atPath: path) == (bytes.isEmpty ? nil : bytes), "\(path) is as before")
    }
    #expect(fixture.mlflowGitHooks(in: [fixture.repo + "/.git/hooks", fixture.repo + "/.git/mlflow-git"]).isEmpty)
  }

  @Test("lefthook: a command in lefthook.yml; a teammate's install uses it; uninstall takes it out")
  func lefthook() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    let config = "pre-commit:\n  commands:\n    lint:\n      run: \(fixture.logLine("pre-commit"))\n"
    try fixture.scratch.write(config, to: fixture.repo + "/lefthook.yml")
    try await fixture.commitTeamFiles()
    try await fixture.manager("lefthook", "install")
    try await Self.installShared(fixture, expecting: ["lefthook.yml"])
    try await fixture.manager("lefthook", "install")
    #expect(try await fixture.commitAndCheck("after lefthook install").registered)
    try await Self.checkTeammate(fixture) { clone in _ = try await fixture.manager("lefthook", "install", in: clone) }
    try await Self.uninstallShared(fixture, restoring: [fixture.repo + "/lefthook.yml": Data(config.utf8)])
  }

  @Test("lefthook: a lefthook.yml that already configures post-commit gets the lines to add, and nothing changes")
  func lefthookConflict() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    try fixture.scratch.write("post-commit:\n  commands:\n    notify:\n      run: true\n", to: fixture.repo + "/lefthook.yml")
    try await fixture.commitTeamFiles()
    let install = try await fixture.cli("install", "--shared")
    #expect(install.exitStatus == 1)
    #expect(install.standardErrorText.contains("already configures post-commit") && install.standardErrorText.contains("mlflow-git:"))
    #expect(try await fixture.git("status", "--porcelain").output == "?? mlflow.db\n", "nothing changed")
    #expect(!FileManager.default.fileExists(atPath: fixture.base.stateDirectory), "nothing was written")
  }

  @Test("pre-commit: a `repo: local` hook for the post-* stages; checkouts and commits register through it")
  func preCommit() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    let config = HookManagerTests.preCommitConfig(fixture) + "default_stages: [pre-commit]\n"
    try fixture.scratch.write(config, to: fixture.repo + "/.pre-commit-config.yaml")
    try await fixture.commitTeamFiles()
    try await fixture.manager("pre-commit", "install")
    try await Self.installShared(fixture, expecting: [".pre-commit-config.yaml"])
    let text = try String(contentsOfFile: fixture.repo + "/.pre-commit-config.yaml", encoding: .utf8)
    #expect(text.hasSuffix("default_stages: [pre-commit]\n"), "the hook goes into repos:, before the keys after it")
    let validation = try await fixture.manager("pre-commit", "validate-config")
    #expect(validation.succeeded)
    try await fixture.git("switch", "-q", "-c", "feature")
    try await fixture.base.sync()
    #expect(try await fixture.base.models(branch: "feature", commit: try await fixture.base.head()).count == 1, "post-checkout")
    try await fixture.git("checkout", "-q", "main")
    try await Self.checkTeammate(fixture) { clone in _ = try await fixture.manager("pre-commit", "install", in: clone) }
    try await Self.uninstallShared(fixture, restoring: [fixture.repo + "/.pre-commit-config.yaml": Data(config.utf8)])
  }

  @Test("husky 9: a line in .husky/<hook>; it survives `npm install`; a teammate's install uses it")
  func husky9() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    try HuskyLayout.install(version: 9, in: fixture.repo, environment: fixture.base.environment)
    let teamHook = fixture.logLine("post-commit") + "\n"
    try fixture.scratch.write(teamHook, to: fixture.repo + "/.husky/post-commit")
    try await fixture.commitTeamFiles()
    try await Self.installShared(
      fixture, expecting: [".husky/post-commit", ".husky/post-checkout", ".husky/post-merge", ".husky/post-rewrite"])
    #expect(fixture.teamRuns().contains { $0.hasPrefix("post-commit") }, "the team's post-commit runs")
    try HuskyLayout.install(version: 9, in: fixture.repo, environment: fixture.base.environment)
    #expect(try await fixture.commitAndCheck("after npm install").registered)
    try await Self.checkTeammate(fixture) { clone in
      try HuskyLayout.install(version: 9, in: clone, environment: fixture.base.environment)
    }
    try await Self.uninstallShared(
      fixture,
      restoring: [
        fixture.repo + "/.husky/post-commit": Data(teamHook.utf8), fixture.repo + "/.husky/post-checkout": Data(),
        fixture.repo + "/.husky/post-rewrite": Data(),
      ])
  }

  @Test("--shared where nothing is shared (no manager, a global folder) says why and changes nothing")
  func nothingToShare() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    let install = try await fixture.cli("install", "--shared")
    #expect(install.exitStatus == 1 && install.standardErrorText.contains("no hook manager"))
    #expect(!FileManager.default.fileExists(atPath: fixture.base.stateDirectory + "/install"))
  }
}
