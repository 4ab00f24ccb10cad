import ChildProcess
import Foundation
import LocalFiles
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration

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
    let (repo, environment, journal) = try await Self.installed(scratch, folder: folder)
    @discardableResult
    func git(_ arguments: String...) throws -> String { try scratch.git(["-C", repo] + arguments, environment: environment) }

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

  /// A repository with the hooks installed by the real `mlflow-git install` (no `mlflow`, so
  /// no store can be made) and an empty journal; returns the repository, the environment, and
  /// the journal's path.
  static func installed(_ scratch: Scratch, folder: String = "repo") async throws -> (
    repo: String, environment: [String: String], journal: String
  ) {
    let repo = try scratch.repository(folder, files: ["app.py": "v1\n"])
    var environment = scratch.environment
    environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] = scratch.root + "/no-mlflow-here"
    let install = try await ChildProcess.runLimited(
      "sh", arguments: ["-c", "cd \"$1\" && exec \"$2\" install", "install", repo, BuiltProducts.executable(named: "mlflow-git")],
      environment: environment)
    try #require(install.succeeded, "\(install.standardErrorText)")
    let journal = repo + "/.git/mlflow-git/journal"
    try Data().write(to: URL(fileURLWithPath: journal))
    return (repo, environment, journal)
  }

  /// Runs the installed hook `event` of `repo` with `shell` (as git would: at the top of the work
  /// tree), arguments and standard input; `wrapper` goes before the shell (a tracer, say).
  static func runHook(
    _ event: String, in repo: String, shell: String, arguments: [String] = [], input: [UInt8]? = nil,
    environment: [String: String], wrapper: [String] = []
  ) async throws {
    let command = wrapper + [shell, repo + "/.git/hooks/" + event] + arguments
    let output = try await ChildProcess.runLimited(
      "sh", arguments: ["-c", "cd \"$1\" && shift && exec \"$@\"", "hook", repo] + command, environment: environment,
      standardInput: input)
    try #require(output.succeeded, "\(command): \(output.standardErrorText)")
  }

  @Test(
    "the hook journals where its environment sends the state: the URI without credentials, the experiment, odd characters escaped",
    arguments: ["dash", "bash"])
  func targets(shell: String) async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let (repo, environment, journal) = try await Self.installed(scratch)
    // The hooks' workers leave the work to the holder of the worker lock, so nothing is delivered.
    let lock = try #require(try FileLock.tryAcquire(at: repo + "/.git/mlflow-git/worker.lock"))
    defer { lock.release() }
    let oddName = "team \\ \"q\"\tsecond\nline =x"
    let cases: [(variables: [String: String], expected: Journal.Target)] = [
      (
        ["MLFLOW_TRACKING_URI": "https://alice:s3cret@host.example:8443/ml\\flow?a=b\tc", "MLFLOW_EXPERIMENT_NAME": oddName,
          "MLFLOW_EXPERIMENT_ID": ""],
        Journal.Target(trackingURI: "https://host.example:8443/ml\\flow?a=b\tc", experimentName: oddName)
      ),
      (
        ["MLFLOW_TRACKING_URI": "", "MLFLOW_EXPERIMENT_NAME": "", "MLFLOW_EXPERIMENT_ID": "42"],
        Journal.Target(experimentName: "", experimentID: "42")
      ),
      ([:], Journal.Target()),
      (["MLFLOW_TRACKING_URI": "sqlite:///stores/x.db"], Journal.Target(trackingURI: "sqlite:///stores/x.db")),
    ]
    for (variables, _) in cases {
      try scratch.git(["-C", repo, "-c", "core.hooksPath=/dev/null", "commit", "-q", "--allow-empty", "-m", "c"])
      try await Self.runHook("post-commit", in: repo, shell: shell, environment: environment.merging(variables) { $1 })
    }
    try await BackgroundWorkers.waitUntilNoneRuns(in: repo)

    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: journal)))
    let lines = bytes.split(separator: UInt8(ascii: "\n"))
    try #require(lines.count == cases.count, "one line per hook run: \(String(decoding: bytes, as: UTF8.self))")
    for (line, (_, expected)) in zip(lines, cases) {
      let entry = try #require(Journal.parse(line), "parses: \(String(decoding: line, as: UTF8.self))")
      #expect(entry.target == expected)
      #expect(entry.gitDirectory == repo + "/.git" && entry.branch == "main")
      #expect(Array(entry.line.utf8) == Array(line) + [UInt8(ascii: "\n")], "Journal.Entry.line writes the hook's line")
    }
    #expect(!String(decoding: bytes, as: UTF8.self).contains("s3cret"), "no credential is journaled")
  }

  @Test("a post-rewrite of 3,000 commits run by bash writes each line in one write, and no line mixes with another worktree's")
  func bashRewriteLinesWhole() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let (repo, environment, journal) = try await Self.installed(scratch)
    let lock = try #require(try FileLock.tryAcquire(at: repo + "/.git/mlflow-git/worker.lock"))
    defer { lock.release() }
    let commits = (0..<3000).map { String(format: "%040x", $0 + 1) }
    let input = commits.map { String(repeating: "0", count: 40) + " " + $0 + "\n" }.joined()
    // Another worktree's hook appending at the same time, as fast as it can.
    let other = Journal.Entry(
      event: "post-commit", head: "ref: refs/heads/side", commit: String(repeating: "a", count: 40),
      target: Journal.Target(), gitDirectory: repo + "/.git/worktrees/side")
    let stop = scratch.root + "/stop"
    let appender = Task {
      try await ChildProcess.runAsync(
        "dash",
        arguments: [
          "-c", "while [ ! -e \"$1\" ]; do printf '%s' \"$3\" >> \"$2\"; done", "appender", stop, journal, other.line,
        ])
    }
    while (try? FileManager.default.attributesOfItem(atPath: journal)[.size] as? Int) ?? 0 == 0 {
      try await Task.sleep(for: .milliseconds(5))
    }
    // Traced, the hook runs slower, as on a busy machine; the trace shows its writes.
    let trace = scratch.root + "/writes"
    try await Self.runHook(
      "post-rewrite", in: repo, shell: "bash", arguments: ["rebase"], input: Array(input.utf8), environment: environment,
      wrapper: ["strace", "-f", "-qq", "-y", "-e", "trace=write", "-o", trace])
    try Data().write(to: URL(fileURLWithPath: stop))
    #expect(try await appender.value.succeeded)
    try await BackgroundWorkers.waitUntilNoneRuns(in: repo)

    let hookLine = Journal.Entry(
      event: "post-rewrite", head: "ref: refs/heads/main", commit: commits[0], target: Journal.Target(),
      gitDirectory: repo + "/.git"
    ).line
    let writes = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
      .filter { $0.contains("/mlflow-git/journal>") }
      .map { Int($0.split(separator: " ").last ?? "") ?? -1 }
    #expect(writes.count == commits.count, "one write per line, \(writes.count) writes for \(commits.count) lines")
    #expect(Set(writes) == [hookLine.utf8.count], "each write one whole line: sizes \(Set(writes).sorted().prefix(10))")

    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: journal)))
    var rewritten: [String] = []
    var torn: [String] = []
    for line in bytes.split(separator: UInt8(ascii: "\n")) {
      guard let entry = Journal.parse(line), entry == other || entry.gitDirectory == repo + "/.git" else {
        torn.append(String(decoding: line.prefix(300), as: UTF8.self))
        continue
      }
      if entry.event == "post-rewrite", let commit = entry.commit { rewritten.append(commit) }
    }
    #expect(torn.isEmpty, "\(torn.count) lines mixed: \(torn.prefix(3))")
    #expect(rewritten == commits, "every rewritten commit journaled once, in order")
  }

  @Test("a line of an earlier hook naming reftable's placeholder `.invalid` stands for no branch")
  func reftablePlaceholder() throws {
    let line = "v1\tpost-commit\tref: refs/heads/.invalid\t-\t/repo/.git"
    let entry = try #require(Journal.parse(Array(line.utf8)[...]))
    #expect(entry.branch == nil)
  }
}
