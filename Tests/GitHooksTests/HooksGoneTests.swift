import ChildProcess
import Foundation
import RepositoryFixtures
import Testing
import TestSupport

/// Where a hook manager removes mlflow-git's hooks and nothing of them can survive, the next app
/// start, `mlflow-git status` and `mlflow-git versions` say so once, in one line, with the fix.
@Suite("When the hooks are gone")
struct HooksGoneTests {
  /// The lines of `text` that tell the hooks are gone.
  static func notices(_ text: String) -> [Substring] {
    text.split(separator: "\n").filter { $0.contains("versioning hooks are gone") }
  }

  /// Checks that status, versions and an app start (the SupportAgent example, which starts with
  /// `enableGitModelVersioning()`) each say it once, in one line, naming `cause` and the fix.
  static func expectNotice(_ fixture: ManagerFixture, cause: String) async throws {
    for command in [["status"], ["versions"]] {
      let output = try await fixture.base.run(HookFixture.cliPath, command)
      #expect(output.succeeded, "\(command): \(output.standardErrorText)")
      let lines = notices(output.standardErrorText)
      #expect(lines.count == 1, "\(command) says it once: \(output.standardErrorText)")
      #expect(lines.first?.contains(cause) == true && lines.first?.contains("run `mlflow-git install`") == true)
    }
    let app = try await fixture.base.run(
      BuiltProducts.executable(named: "SupportAgent"), [], environment: ["OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""])
    let lines = notices(app.standardErrorText)
    #expect(lines.count == 1, "the app start says it once: \(app.standardErrorText)")
    #expect(lines.first?.hasPrefix("mlflow-git: warning: the versioning hooks are gone") == true)
  }

  @Test("lefthook adopted after mlflow-git moves its hook to .old: said once; install again restores, uninstall cleans .old")
  func lefthookAdoptedLater() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    #expect(try await fixture.cli("install").succeeded)
    let quiet = try await fixture.cli("status")
    #expect(Self.notices(quiet.standardErrorText).isEmpty, "nothing to say while the hooks run")
    try fixture.scratch.write(
      "post-commit:\n  commands:\n    notify:\n      run: \(fixture.logLine("post-commit"))\n", to: fixture.repo + "/lefthook.yml")
    try await fixture.commitTeamFiles()
    try await fixture.manager("lefthook", "install")
    #expect(!(try await fixture.commitAndCheck("not registered: lefthook took post-commit over").registered))
    try await Self.expectNotice(fixture, cause: "post-commit.old")

    let reinstall = try await fixture.cli("install")
    #expect(reinstall.succeeded, "\(reinstall.standardErrorText)")
    #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.git/hooks/post-commit.old"), "the stray copy is gone")
    let commit = try await fixture.commitAndCheck("registered through lefthook")
    #expect(commit.registered && commit.teamPostCommitRan)
    #expect(Self.notices(try await fixture.cli("status").standardErrorText).isEmpty)
    #expect(try await fixture.cli("uninstall").succeeded)
    #expect(fixture.mlflowGitHooks(in: [fixture.repo + "/.git/hooks", fixture.repo + "/.git/mlflow-git"]).isEmpty)
  }

  @Test("`pre-commit install -f` drops mlflow-git's .legacy hook: said once, with the fix")
  func preCommitOverwrite() async throws {
    let fixture = try await ManagerFixture()
    defer { fixture.remove() }
    try fixture.scratch.write(HookManagerTests.preCommitConfig(fixture), to: fixture.repo + "/.pre-commit-config.yaml")
    try await fixture.commitTeamFiles()
    try await fixture.manager("pre-commit", "install", "-t", "post-commit")
    #expect(try await fixture.cli("install").succeeded)
    try await fixture.manager("pre-commit", "install", "-f", "-t", "post-commit")
    #expect(!(try await fixture.commitAndCheck("missed: pre-commit dropped the .legacy hook").registered))
    try await Self.expectNotice(fixture, cause: "pre-commit")
  }
}
