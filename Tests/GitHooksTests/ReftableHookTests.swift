import ChildProcess
import Foundation
import MLflowStore
import RepositoryFixtures
import Testing
import TestSupport

/// The hook and the worker in a repository whose refs are in the reftable format. The Git here
/// (2.39) cannot make one, so the repository is laid out exactly as Git 2.45+ writes it
/// (``ReftableLayout``), with a stand-in for the newer `git` answering `symbolic-ref` and
/// `rev-parse` of `HEAD`.
@Suite("reftable repositories")
struct ReftableHookTests {
  @Test("the hook journals the real branch and commit, not `.invalid`; the worker registers them")
  func hookAndWorker() async throws {
    var fixture = try await HookFixture()
    defer { fixture.remove() }
    try await MLflowDatabaseTemplate.copy(to: fixture.databasePath)
    #expect(try await fixture.cli("install").succeeded)
    // A commit the hooks do not see: once the refs are in the reftable format, the Git here
    // cannot commit, so the hook is run by hand below, as git 2.45 would run it after this commit.
    try await fixture.git("-c", "core.hooksPath=/dev/null", "commit", "-q", "--allow-empty", "-m", "two")
    let commit = try await fixture.head()
    try await fixture.sync()
    #expect(try await fixture.models(branch: "main", commit: commit).isEmpty)
    let mlflow = fixture.environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"]
    fixture.environment = try ReftableLayout.convert(fixture.repo, scratch: fixture.scratch)
    fixture.environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] = mlflow
    let journal = fixture.stateDirectory + "/journal"
    let journaled = try Data(contentsOf: URL(fileURLWithPath: journal)).count

    for (hook, input) in [("post-commit", ""), ("post-rewrite", "\(commit) \(commit)\n")] {
      let ran = try await ChildProcess.runLimited(
        "sh", arguments: ["-c", "cd \"$1\" && printf '%s' \"$3\" | .git/hooks/\"$2\" amend", "hook", fixture.repo, hook, input],
        environment: fixture.environment)
      #expect(ran.succeeded && ran.standardOutput.isEmpty && ran.standardError.isEmpty)
    }
    let lines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: journal)).dropFirst(journaled), as: UTF8.self)
      .split(separator: "\n")
    #expect(lines.count == 2)
    for line in lines {
      let fields = line.split(separator: "\t").map(String.init)
      #expect(fields.count == 5 && fields[2] == "ref: refs/heads/main" && fields[3] == commit, "\(line)")
    }
    try await fixture.sync()
    #expect(try await fixture.models(branch: "main", commit: commit).count == 1, "the worker registers main@\(commit.prefix(7))")
    #expect(try await fixture.models().allSatisfy { $0.tags["mlflow.source.git.branch"] == "main" }, "no `-invalid-` version")
  }
}
