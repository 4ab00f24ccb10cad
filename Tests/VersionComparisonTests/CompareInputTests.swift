import ChildProcess
import Foundation
import Testing
import TestSupport

/// How `mlflow-git compare` names versions and what it does with input that names none, versions
/// it cannot put side by side, and stores it cannot read: a clear message naming the problem,
/// exit 1 (2 for wrong usage), and the code changes whenever Git can give them.
@Suite("compare's version references and bad input")
struct CompareInputTests {
  /// A repository with `main` (one commit) and `feature` (one more), and an empty mlflow.db.
  struct Fixture {
    let scratch: Scratch
    let repo: String
    let environment: [String: String]

    init() async throws {
      scratch = try Scratch()
      repo = try scratch.repository(files: ["app.py": "VERSION = 1\n"])
      try scratch.git(["-C", repo, "remote", "add", "origin", "https://git.example.com/acme/app.git"])
      try scratch.git(["-C", repo, "checkout", "-q", "-b", "feature"])
      try scratch.write("VERSION = 2\n", to: repo + "/app.py")
      try scratch.git(["-C", repo, "commit", "-q", "-am", "Second version"])
      try await MLflowDatabaseTemplate.copy(to: repo + "/mlflow.db")
      environment = scratch.environment
    }

    func compare(_ arguments: [String], extra: [String: String] = [:], in directory: String? = nil) async throws
      -> ChildProcess.Output
    {
      try await CompareScenario.output(
        CompareScenario.cli, ["compare"] + arguments, in: directory ?? repo, environment.merging(extra) { $1 })
    }

    func json(_ arguments: [String], extra: [String: String] = [:]) async throws -> [String: Any] {
      let output = try await compare(arguments + ["--json"], extra: extra)
      guard output.succeeded, let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput)) as? [String: Any]
      else { throw TestFailure("compare failed: \(output.standardOutputText) \(output.standardErrorText)") }
      return object
    }

    func modelID(_ extra: [String: String] = [:]) async throws -> String {
      try CompareScenario.modelID(
        of: try await CompareScenario.run(CompareScenario.cli, ["status", "--json"], in: repo, environment.merging(extra) { $1 }))
    }
  }

  @Test("a branch, a commit, a tag, a version name and a model ID name the same version; the defaults are the merge base with main and the current state")
  func references() async throws {
    let fixture = try await Fixture()
    defer { fixture.scratch.remove() }
    let feature = try await fixture.modelID()
    let mainCommit = try fixture.scratch.git(["-C", fixture.repo, "rev-parse", "main"])
    try fixture.scratch.git(["-C", fixture.repo, "tag", "v1", "main"])
    let byBranch = try await fixture.json(["main", "feature"])
    let a = try #require(byBranch["a"] as? [String: Any])
    #expect(a["branch"] as? String == "main" && a["commit"] as? String == mainCommit && a["dirty"] as? Bool == false)
    #expect(a["registeredNow"] as? Bool == true, "main had no version: registered by compare")
    #expect((byBranch["b"] as? [String: Any])?["modelID"] as? String == feature)
    let main = try #require(a["modelID"] as? String)
    let name = try #require(a["name"] as? String)
    for references in [[String(mainCommit.prefix(9)), "feature"], ["v1", feature], [name, "HEAD"], [main, "feature"], []] {
      let report = try await fixture.json(references)
      #expect((report["a"] as? [String: Any])?["modelID"] as? String == main, "\(references)")
      #expect((report["b"] as? [String: Any])?["modelID"] as? String == feature, "\(references)")
      #expect((report["a"] as? [String: Any])?["registeredNow"] as? Bool == false)
      #expect((report["code"] as? [String: Any])?["commitsAhead"] as? Int == 1)
    }
  }

  @Test("a reference that names nothing: exit 1 and a message naming it; a bad --since: exit 2")
  func unknownReferences() async throws {
    let fixture = try await Fixture()
    defer { fixture.scratch.remove() }
    let unknown = try await fixture.compare(["no-such-branch", "feature"])
    #expect(unknown.exitStatus == 1)
    #expect(unknown.standardErrorText.contains("'no-such-branch' is not a branch, commit, version name or model ID"))
    #expect(unknown.standardOutputText.isEmpty)
    let missing = "m-" + String(repeating: "0", count: 32)
    let model = try await fixture.compare([missing])
    #expect(model.exitStatus == 1)
    #expect(model.standardErrorText.contains("no version \(missing) in sqlite:///"))
    let when = try await fixture.compare(["--since", "last tuesday"])
    #expect(when.exitStatus == 2 && when.standardErrorText.contains("--since 'last tuesday' is not a time"))
    let outside = try await fixture.compare([], in: fixture.scratch.root)
    #expect(outside.exitStatus == 1 && outside.standardErrorText.contains("is not inside a Git work tree"))
  }

  @Test("versions without traces: every figure is — (null in JSON), not 0; a version registered now says so")
  func noTraces() async throws {
    let fixture = try await Fixture()
    defer { fixture.scratch.remove() }
    let report = try await fixture.json(["main", "feature"])
    let b = try #require((report["behaviour"] as? [String: Any])?["b"] as? [String: Any])
    #expect(b["traces"] as? Int == 0)
    #expect(b["errorRate"] is NSNull)
    #expect((b["latencyMs"] as? [String: Any])?["p50"] is NSNull)
    #expect(((b["tokens"] as? [String: Any])?["total"] as? [String: Any])?["mean"] is NSNull)
    #expect((report["notes"] as? [String])?.contains { $0.contains("registered now, so it has no traces") } == true)
    let text = try await fixture.compare(["main", "feature"])
    #expect(text.succeeded)
    let p50 = try #require(text.standardOutputText.split(separator: "\n").first { $0.hasPrefix("  latency p50") })
    #expect(p50.split(separator: " ").filter { $0 != "" }.suffix(3) == ["—", "—", "—"], "\(p50)")
    #expect(!text.standardOutputText.contains("0 ms"))
  }

  @Test("versions in different experiments are compared, each from its own experiment, and the report says so")
  func differentExperiments() async throws {
    let fixture = try await Fixture()
    defer { fixture.scratch.remove() }
    let other = try await fixture.modelID(["MLFLOW_EXPERIMENT_NAME": "other-experiment"])
    let report = try await fixture.json([other, "main"])
    let experimentA = try #require((report["a"] as? [String: Any])?["experimentID"] as? String)
    #expect(experimentA != "0")
    #expect((report["b"] as? [String: Any])?["experimentID"] as? String == "0")
    #expect(
      (report["notes"] as? [String])?.contains("A is in experiment \(experimentA) and B in experiment 0: each side's traces are read from its own") == true)
  }

  @Test("a version of another store: exit 1, naming both stores")
  func otherStore() async throws {
    let fixture = try await Fixture()
    defer { fixture.scratch.remove() }
    let otherDatabase = fixture.scratch.root + "/other.db"
    try await MLflowDatabaseTemplate.copy(to: otherDatabase)
    let elsewhere = try await fixture.modelID(["MLFLOW_TRACKING_URI": "sqlite:///" + otherDatabase])
    let output = try await fixture.compare([elsewhere, "main"])
    #expect(output.exitStatus == 1)
    #expect(
      output.standardErrorText.contains(
        "\(elsewhere) is a version in sqlite:///\(otherDatabase), not in this comparison's store sqlite:///\(fixture.repo)/mlflow.db"),
      "\(output.standardErrorText)")
  }

  @Test("a tracking server that is down: the code changes still print, the store's problem is said, exit 1, no credentials shown")
  func storeDown() async throws {
    let fixture = try await Fixture()
    defer { fixture.scratch.remove() }
    let down = ["MLFLOW_TRACKING_URI": "http://ci:s3cret-token@127.0.0.1:\(try freePort())"]
    let output = try await fixture.compare(["main", "feature"], extra: down)
    #expect(output.exitStatus == 1)
    let text = output.standardOutputText
    #expect(text.contains("1 commit in B not in A, 0 in A not in B"))
    #expect(text.contains("app.py  +1 −1"))
    #expect(text.contains("the store is not available, so no traces could be read"))
    #expect(output.standardErrorText.contains("the store is not available, so only the code changes are shown"))
    #expect(!(text + output.standardErrorText).contains("s3cret"), "\(text)\n\(output.standardErrorText)")
    let json = try await fixture.compare(["main", "feature", "--json"], extra: down)
    let report = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput)) as? [String: Any])
    #expect(json.exitStatus == 1 && report["behaviour"] is NSNull && report["storeProblem"] is String)
    #expect((report["code"] as? [String: Any])?["linesAdded"] as? Int == 1)
    #expect(!json.standardOutputText.contains("s3cret"))
  }

  @Test("a corrupt mlflow.db: the code changes still print, the versions have no model, SQLite's complaint is said, exit 1")
  func corruptDatabase() async throws {
    let fixture = try await Fixture()
    defer { fixture.scratch.remove() }
    try fixture.scratch.write("not a database, but an editor's leftover\n", to: fixture.repo + "/mlflow.db")
    let output = try await fixture.compare(["main", "feature", "--json"])
    #expect(output.exitStatus == 1)
    let report = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput)) as? [String: Any])
    #expect((report["code"] as? [String: Any])?["commitsAhead"] as? Int == 1)
    #expect((report["a"] as? [String: Any])?["modelID"] is NSNull && (report["b"] as? [String: Any])?["branch"] as? String == "feature")
    #expect((report["storeProblem"] as? String)?.contains("is not a valid SQLite database") == true, "\(report)")
    #expect(try String(contentsOfFile: fixture.repo + "/mlflow.db", encoding: .utf8).hasPrefix("not a database"), "left as it was")
  }

  @Test("Git states without a version: no default branch, a commit on no branch, a detached HEAD")
  func gitStates() async throws {
    let fixture = try await Fixture()
    defer { fixture.scratch.remove() }
    try fixture.scratch.git(["-C", fixture.repo, "branch", "-m", "main", "trunk"])
    let noDefault = try await fixture.compare([])
    #expect(noDefault.exitStatus == 1 && noDefault.standardErrorText.contains("has no default branch"), "\(noDefault.standardErrorText)")

    try fixture.scratch.git(["-C", fixture.repo, "checkout", "-q", "--detach", "feature"])
    try fixture.scratch.write("VERSION = 3\n", to: fixture.repo + "/app.py")
    try fixture.scratch.git(["-C", fixture.repo, "commit", "-q", "-am", "Nowhere"])
    let orphan = try fixture.scratch.git(["-C", fixture.repo, "rev-parse", "HEAD"])
    let onNoBranch = try await fixture.compare([orphan, "trunk"])
    #expect(onNoBranch.exitStatus == 1 && onNoBranch.standardErrorText.contains("is on no local branch"))
    let detached = try await fixture.compare(["trunk"])
    #expect(detached.exitStatus == 1 && detached.standardErrorText.contains("HEAD is detached"))
    let named = try await fixture.compare(["trunk", "feature"])
    #expect(named.succeeded, "two named versions need no current branch: \(named.standardErrorText)")
  }
}
