import ChildProcess
import Foundation
import Testing
import TestSupport

@testable import GitVersioning

/// The journal line is defined once, by the hook program that writes it (`hooks/versioning-hook`):
/// these tests run that program, installed by the real `mlflow-git install`, through every event
/// git fires it for, and parse what it wrote with ``Journal``.
@Suite("The journal line the hook writes")
struct JournalFormatTests {
  @Test(
    "every event's line parses, names the right branch, commit and Git directory, and equals Journal.Entry.line",
    arguments: ["plain", "with space", "it's \"quoted\"", "tab\there"])
  func hookLines(folder: String) async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository(folder, files: ["app.py": "v1\n"])
    var environment = scratch.environment
    environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] = scratch.root + "/no-mlflow-here"
    @discardableResult
    func git(_ arguments: String...) throws -> String { try scratch.git(["-C", repo] + arguments, environment: environment) }
    let install = try await ChildProcess.runLimited(
      "sh", arguments: ["-c", "cd \"$1\" && exec \"$2\" install", "install", repo, BuiltProducts.executable(named: "mlflow-git")],
      environment: environment)
    try #require(install.succeeded, "\(install.standardErrorText)")
    let journal = repo + "/.git/mlflow-git/journal"
    try Data().write(to: URL(fileURLWithPath: journal))

    // What each event should journal: (event, branch, commit, Git directory).
    var expected: [(String, String, String, String)] = []
    let gitDirectory = repo + "/.git"
    try git("commit", "-q", "--allow-empty", "-m", "two")
    expected.append(("post-commit", "main", try git("rev-parse", "HEAD"), gitDirectory))
    try git("commit", "-q", "--allow-empty", "--amend", "-m", "two, amended")
    let amended = try git("rev-parse", "HEAD")
    expected.append(("post-commit", "main", amended, gitDirectory))
    expected.append(("post-rewrite", "main", amended, gitDirectory))
    try git("switch", "-q", "-c", "feature/\"x\"")
    expected.append(("post-checkout", "feature/\"x\"", amended, gitDirectory))
    try git("commit", "-q", "--allow-empty", "-m", "feature")
    let feature = try git("rev-parse", "HEAD")
    expected.append(("post-commit", "feature/\"x\"", feature, gitDirectory))
    try git("switch", "-q", "-c", "topic", "main")
    expected.append(("post-checkout", "topic", amended, gitDirectory))
    try git("commit", "-q", "--allow-empty", "-m", "topic")
    expected.append(("post-commit", "topic", try git("rev-parse", "HEAD"), gitDirectory))
    try git("checkout", "-q", "main")
    expected.append(("post-checkout", "main", amended, gitDirectory))
    try git("merge", "-q", "--no-ff", "--no-edit", "feature/\"x\"")
    expected.append(("post-merge", "main", try git("rev-parse", "HEAD"), gitDirectory))
    try git("commit", "-q", "--allow-empty", "-m", "main moves on")
    let base = try git("rev-parse", "HEAD")
    expected.append(("post-commit", "main", base, gitDirectory))
    try git("checkout", "-q", "topic")
    try git("rebase", "-q", "main")
    let rebased = try git("rev-parse", "HEAD")
    #expect(rebased != base)
    expected.append(("post-rewrite", "topic", rebased, gitDirectory))
    let worktree = scratch.root + "/" + folder + " worktree"
    try git("worktree", "add", "-q", "-b", "in-worktree", worktree, "main")
    let worktreeGitDirectory = try scratch.git(["-C", worktree, "rev-parse", "--absolute-git-dir"])
    expected.append(("post-checkout", "in-worktree", try git("rev-parse", "main"), worktreeGitDirectory))

    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: journal)))
    let lines = bytes.split(separator: UInt8(ascii: "\n"))
    var found: [(String, String, String, String)] = []
    for line in lines {
      let entry = try #require(Journal.parse(line), "the hook's line parses: \(String(decoding: line, as: UTF8.self))")
      #expect(Array(entry.line.utf8) == Array(line) + [UInt8(ascii: "\n")], "Journal.Entry.line writes the hook's line")
      if let branch = entry.branch, let commit = entry.commit {
        found.append((entry.event, branch, commit, entry.gitDirectory))
      }
    }
    let describe = { (items: [(String, String, String, String)]) in items.map { "\($0.0) \($0.1) \($0.2.prefix(7)) \($0.3)" } }
    for item in describe(expected) {
      #expect(describe(found).contains(item), "journaled: \(item)\nall: \(describe(found))")
    }
    #expect(Set(found.map(\.0)) == ["post-commit", "post-checkout", "post-merge", "post-rewrite"])
  }

  @Test("a line of an earlier hook naming reftable's placeholder `.invalid` stands for no branch")
  func reftablePlaceholder() throws {
    let line = "v1\tpost-commit\tref: refs/heads/.invalid\t-\t/repo/.git"
    let entry = try #require(Journal.parse(Array(line.utf8)[...]))
    #expect(entry.branch == nil)
  }
}
