import ChildProcess
import Foundation
import RepositoryFixtures
import Testing
import TestSupport

/// mlflow-git in repositories set up as JavaScript and Python teams set them up: the real
/// lefthook 2.2.2 and pre-commit 4.7.0 from PyPI, husky 4, 8 and 9 laid out exactly as they write
/// their files (``HuskyLayout``), a committed and a global `core.hooksPath` folder. Each case: the
/// team's hook still runs, the commit is registered, the tree stays clean, registration
/// survives the manager re-syncing its hooks, and uninstall restores every byte.
@Suite("Hook managers")
struct HookManagerTests {
  @Test("husky 9: forwarding keeps .husky/post-commit running, survives `npm install`, leaves .husky/_ alone")
  func husky9() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    try HuskyLayout.install(version: 9, in: fixture.repo, environment: fixture.base.environment)
    try fixture.scratch.write(fixture.logLine("post-commit") + "\n", to: fixture.repo + "/.husky/post-commit")
    try fixture.scratch.write(fixture.logLine("pre-commit") + "\n", to: fixture.repo + "/.husky/pre-commit")
    try fixture.scratch.write(fixture.logLine("post-checkout") + "\nexit 3\n", to: fixture.repo + "/.husky/post-checkout")
    try await fixture.commitTeamFiles()
    let dispatcher = try Data(contentsOf: URL(fileURLWithPath: fixture.repo + "/.husky/_/post-commit"))
    let checkoutBefore = try await fixture.checkout("-b", "before")
    #expect(checkoutBefore.exitStatus != 0, "the team's post-checkout fails checkout")
    _ = try await fixture.checkout("main")

    // The re-sync below adds a team hook (.husky/commit-msg), which uninstall rightly keeps.
    let installed = try await fixture.checkLifecycle(ignoring: [fixture.repo + "/.husky/commit-msg"], resync: {
      // `npm install` runs husky again: it rewrites .husky/_ and sets core.hooksPath again.
      try HuskyLayout.install(version: 9, in: fixture.repo, environment: fixture.base.environment)
      #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.repo + "/.husky/_/post-commit")) == dispatcher)
      let checkout = try await fixture.checkout("-b", "after")
      #expect(checkout.exitStatus == checkoutBefore.exitStatus, "the team's failing post-checkout fails checkout as before")
      #expect(checkout.standardErrorText == checkoutBefore.standardErrorText)
      _ = try await fixture.checkout("main")
      // A hook the team adds later (a pull brings .husky/commit-msg) runs from the next commit on:
      // the worker started by this one adds its forwarding hook.
      try fixture.scratch.write(fixture.logLine("commit-msg") + "\n", to: fixture.repo + "/.husky/commit-msg")
      try await fixture.commitTeamFiles("the team adds a commit-msg hook")
      try await fixture.base.sync()
      try await fixture.git("commit", "-q", "--allow-empty", "-m", "runs the new hook")
      #expect(fixture.teamRuns().contains { $0.hasPrefix("commit-msg") }, "the team's new hook runs: \(fixture.teamRuns())")
    })
    #expect(installed.standardOutputText.contains("husky 9"))
    #expect(fixture.teamRuns().contains { $0.hasPrefix("pre-commit") }, "the team's other hooks are forwarded too")
  }

  @Test("husky 8: .husky/<hook> (sourcing _/husky.sh) keeps running; `husky install` again keeps registering")
  func husky8() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    try HuskyLayout.install(version: 8, in: fixture.repo, environment: fixture.base.environment)
    try fixture.scratch.writeExecutable(
      HuskyLayout.version8Hook(fixture.logLine("post-commit")), to: fixture.repo + "/.husky/post-commit")
    try await fixture.commitTeamFiles()
    try await fixture.checkLifecycle(resync: {
      try HuskyLayout.install(version: 8, in: fixture.repo, environment: fixture.base.environment)
    })
  }

  @Test("husky 4: its runner in .git/hooks is run under its own name; `npm install` again keeps registering")
  func husky4() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    var fixtureWithRunner = fixture
    let bin = fixture.scratch.root + "/node-bin"
    try fixture.scratch.writeExecutable(HuskyLayout.version4Runner, to: bin + "/npx")
    fixtureWithRunner.base.environment["PATH"] = bin + ":" + (fixture.base.environment["PATH"] ?? "")
    try fixture.scratch.write(
      "{\"name\": \"app\", \"husky\": {\"hooks\": {\"post-commit\": \"\(fixture.logLine("post-commit").replacing("\"", with: "\\\""))\"}}}\n",
      to: fixture.repo + "/package.json")
    try await fixture.commitTeamFiles()
    try HuskyLayout.install(version: 4, in: fixture.repo, environment: fixture.base.environment)
    try await fixtureWithRunner.checkLifecycle(resync: {
      try HuskyLayout.install(version: 4, in: fixture.repo, environment: fixture.base.environment)
    })
  }

  @Test("lefthook: a command in lefthook-local.yml (excluded), kept by `lefthook install` and by its automatic sync")
  func lefthook() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    try fixture.scratch.write(
      """
      pre-commit:
        commands:
          lint:
            run: \(fixture.logLine("pre-commit"))
      post-commit:
        commands:
          notify:
            run: \(fixture.logLine("post-commit"))

      """, to: fixture.repo + "/lefthook.yml")
    try await fixture.commitTeamFiles()
    try await fixture.manager("lefthook", "install")
    // The re-sync below changes lefthook.yml (as a team would), and so lefthook's checksum of it.
    let changedByTheTest: Set<String> = [fixture.repo + "/lefthook.yml", fixture.repo + "/.git/info/lefthook.checksum"]
    try await fixture.checkLifecycle(ignoring: changedByTheTest, resync: {
      try await fixture.manager("lefthook", "install")
      // A change to lefthook.yml makes lefthook sync its hooks by itself on the next hook run.
      let config = try String(contentsOfFile: fixture.repo + "/lefthook.yml", encoding: .utf8)
      try fixture.scratch.write(config + "# reviewed\n", to: fixture.repo + "/lefthook.yml")
      try await fixture.commitTeamFiles("lefthook.yml changed")
    })
  }

  @Test("pre-commit installed first: mlflow-git's hook is its post-commit.legacy; `pre-commit install` keeps it")
  func preCommitFirst() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    try fixture.scratch.write(Self.preCommitConfig(fixture), to: fixture.repo + "/.pre-commit-config.yaml")
    try await fixture.commitTeamFiles()
    try await fixture.manager("pre-commit", "install", "-t", "pre-commit", "-t", "post-commit")
    try await fixture.checkLifecycle(resync: {
      try await fixture.manager("pre-commit", "install", "-t", "pre-commit", "-t", "post-commit")
      #expect(FileManager.default.fileExists(atPath: fixture.repo + "/.git/hooks/post-commit.legacy"))
    })
  }

  @Test("pre-commit installed after mlflow-git keeps running it as .legacy; uninstall removes that copy")
  func preCommitAfter() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    try fixture.scratch.write(Self.preCommitConfig(fixture), to: fixture.repo + "/.pre-commit-config.yaml")
    try await fixture.commitTeamFiles()
    let installed = try await fixture.cli("install")
    try #require(installed.succeeded, "\(installed.standardErrorText)")
    try await fixture.manager("pre-commit", "install", "-t", "post-commit")
    let legacy = try String(contentsOfFile: fixture.repo + "/.git/hooks/post-commit.legacy", encoding: .utf8)
    #expect(legacy.contains("# mlflow-git hook"), "pre-commit kept mlflow-git's hook as its .legacy")
    let commit = try await fixture.commitAndCheck("through pre-commit's legacy chaining")
    #expect(commit.teamPostCommitRan && commit.registered)
    #expect(try await fixture.treeIsClean())
    #expect(try await fixture.cli("uninstall").succeeded)
    #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.git/hooks/post-commit.legacy"))
    #expect(fixture.mlflowGitHooks(in: [fixture.repo + "/.git/hooks"]).isEmpty)
    let preCommitHook = try String(contentsOfFile: fixture.repo + "/.git/hooks/post-commit", encoding: .utf8)
    #expect(preCommitHook.contains("File generated by pre-commit"), "pre-commit's own hook stays")
  }

  @Test("a committed core.hooksPath folder (.githooks) is never written; its hooks run with their exit status")
  func committedHooksFolder() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    try fixture.scratch.writeExecutable("#!/bin/sh\n" + fixture.logLine("post-commit") + "\n", to: fixture.repo + "/.githooks/post-commit")
    try fixture.scratch.writeExecutable(
      "#!/bin/sh\n" + fixture.logLine("pre-push") + "\necho refused >&2\nexit 4\n", to: fixture.repo + "/.githooks/pre-push")
    try await fixture.commitTeamFiles()
    try await fixture.git("config", "core.hooksPath", ".githooks")
    try await fixture.checkLifecycle(resync: {
      // The team's pre-push (not one of mlflow-git's events) is forwarded, exit status included.
      let upstream = fixture.scratch.root + "/upstream.git"
      try fixture.scratch.git(["init", "-q", "--bare", upstream])
      let push = try await ChildProcess.runAsync(
        "git", arguments: ["-C", fixture.repo, "push", "-q", upstream, "main"], environment: fixture.base.environment)
      #expect(push.exitStatus != 0 && push.standardErrorText.contains("refused"), "the team's pre-push refused the push")
    })
  }

  @Test("a global core.hooksPath: install forwards to it from this repository only and says so; --global-hooks writes there")
  func globalHooksFolder() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    let global = fixture.scratch.root + "/home/.githooks"
    try fixture.scratch.writeExecutable("#!/bin/sh\n" + fixture.logLine("post-commit") + "\n", to: global + "/post-commit")
    try await fixture.git("config", "--global", "core.hooksPath", "~/.githooks")
    let other = try fixture.scratch.repository("other", files: ["other.txt": "x\n"])
    let installed = try await fixture.checkLifecycle(extraFolders: [global], resync: {})
    #expect(installed.standardOutputText.contains("forwarding") || installed.standardOutputText.contains(".git/mlflow-git/hooks"))
    #expect(installed.standardOutputText.contains("left as it is"), "install says what it did instead")
    #expect(!FileManager.default.fileExists(atPath: other + "/.git/mlflow-git"), "another repository journals nothing")

    // With the flag, into the global folder: this repository registers; another does not journal.
    let before = try fixture.base.installFootprint(extra: [global])
    let flagged = try await fixture.cli("install", "--global-hooks")
    try #require(flagged.succeeded, "\(flagged.standardErrorText)")
    #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: global + "/post-commit")), as: UTF8.self)
      .contains("# mlflow-git hook"))
    let commit = try await fixture.commitAndCheck("through the global folder")
    #expect(commit.teamPostCommitRan && commit.registered)
    try fixture.scratch.git(["-C", other, "commit", "-q", "--allow-empty", "-m", "elsewhere"])
    #expect(!FileManager.default.fileExists(atPath: other + "/.git/mlflow-git"), "the hooks journal only where installed")

    // Another repository opts in: the global folder already runs mlflow-git's hooks, so install
    // writes nothing there, and the team's global hook runs once per commit.
    let globalFiles = try fixture.base.installFootprint(extra: [global]).filter { $0.key.hasPrefix(global) }
    let inOther = try await ChildProcess.runLimited(
      "sh", arguments: ["-c", "cd \"$1\" && exec \"$2\" install", "install", other, HookFixture.cliPath],
      environment: fixture.base.environment)
    #expect(inOther.succeeded, "\(inOther.standardErrorText)")
    #expect(try fixture.base.installFootprint(extra: [global]).filter { $0.key.hasPrefix(global) } == globalFiles)
    let runs = fixture.teamRuns().count
    try fixture.scratch.git(["-C", other, "commit", "-q", "--allow-empty", "-m", "opted in"])
    #expect(fixture.teamRuns().count == runs + 1, "the team's global hook runs once")
    let otherJournal = try String(contentsOfFile: other + "/.git/mlflow-git/journal", encoding: .utf8)
    #expect(otherJournal.contains(try fixture.scratch.git(["-C", other, "rev-parse", "HEAD"])))
    let uninstalled = try await fixture.cli("uninstall", "--global-hooks")
    #expect(uninstalled.succeeded)
    #expect(HookFixture.differences(before, try fixture.base.installFootprint(extra: [global])).isEmpty)
  }

  /// A `.pre-commit-config.yaml` whose local hooks log their runs (no network: language system).
  static func preCommitConfig(_ fixture: ManagerFixture) -> String {
    """
    repos:
    - repo: local
      hooks:
      - id: lint
        name: lint
        entry: sh -c "\(fixture.logLine("pre-commit").replacing("\"", with: "\\\""))"
        language: system
        pass_filenames: false
        always_run: true
      - id: notify
        name: notify
        entry: sh -c "\(fixture.logLine("post-commit").replacing("\"", with: "\\\""))"
        language: system
        stages: [post-commit]
        pass_filenames: false
        always_run: true

    """
  }
}
