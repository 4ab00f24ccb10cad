import ChildProcess
import Foundation
import MLflowStore
import RepositoryFixtures
import Testing
import TestSupport

/// The embedded default on a machine without MLflow: commits get their model IDs from the
/// hooks at once, and the versions enter `mlflow.db` with those IDs once it exists.
@Suite("A fresh machine without mlflow.db or MLflow")
struct FreshMachineTests {
  /// `mlflow-git versions --json` as (commit → entry).
  static func versions(_ fixture: HookFixture) async throws -> [String: [String: Any]] {
    let output = try await fixture.cli("versions", "--json", "--limit", "1000")
    guard output.succeeded else { throw TestFailure("versions failed: \(output.standardErrorText)") }
    let items = try JSONSerialization.jsonObject(with: Data(output.standardOutput)) as? [[String: Any]] ?? []
    return Dictionary(items.map { ($0["commit"] as? String ?? "?", $0) }) { first, _ in first }
  }

  /// Runs the real `mlflow db upgrade` on the repository's mlflow.db, as a user would.
  static func createDatabase(_ fixture: HookFixture) async throws {
    let output = try await ChildProcess.runLimited(
      try await ReferenceMLflow.mlflowExecutable(), arguments: ["db", "upgrade", "sqlite:///" + fixture.databasePath],
      environment: fixture.environment)
    guard output.succeeded else { throw TestFailure("mlflow db upgrade failed: \(output.standardErrorText)") }
  }

  @Test("commits get IDs shown at once; after `mlflow db upgrade`, sync puts them in mlflow.db unchanged, once")
  func idsBeforeTheDatabase() async throws {
    let fixture = try await HookFixture(mlflowAvailable: false)
    defer { fixture.remove() }
    #expect(try await fixture.cli("install").succeeded)
    var commits = [try await fixture.head()]
    for index in 0..<3 {
      try fixture.scratch.write("v\(index)\n", to: fixture.repo + "/app.py")
      try await fixture.git("commit", "-qam", "change \(index)")
      commits.append(try await fixture.head())
    }
    let waiting = try await fixture.cli("sync", "--json")
    #expect(!waiting.succeeded, "sync says versions wait")
    #expect(waiting.standardErrorText.contains("keep their model IDs"))
    let before = try await Self.versions(fixture)
    var ids: [String: String] = [:]
    for commit in commits {
      let entry = try #require(before[commit], "\(commit.prefix(7)) is listed")
      ids[commit] = try #require(entry["modelID"] as? String)
      #expect(entry["undelivered"] as? Bool == true && entry["provisional"] as? Bool == false)
      #expect(entry["status"] as? String == "UNDELIVERED")
    }
    #expect(Set(ids.values).count == commits.count)
    let status = try JSONSerialization.jsonObject(with: Data(try await fixture.cli("status", "--json").standardOutput))
    #expect((status as? [String: Any])?["modelID"] as? String == ids[commits.last!])
    #expect((status as? [String: Any])?["undelivered"] as? Bool == true)
    let text = try await fixture.cli("versions").standardOutputText
    #expect(text.contains("UNDELIVERED"))
    #expect(!FileManager.default.fileExists(atPath: fixture.databasePath))

    try await Self.createDatabase(fixture)
    try await fixture.sync()
    let python = try await ReferenceMLflow.runJSON(
      """
      import json, mlflow
      ids = \(String(decoding: try JSONSerialization.data(withJSONObject: Array(ids.values)), as: UTF8.self))
      print(json.dumps({i: dict(mlflow.get_logged_model(i).tags) for i in ids}))
      """, environment: fixture.environment.merging(["MLFLOW_TRACKING_URI": "sqlite:///" + fixture.databasePath]) { $1 })
      as? [String: [String: String]]
    for (commit, id) in ids {
      #expect(python?[id]?["mlflow.source.git.commit"] == commit, "Python finds \(id) with its commit")
      #expect(python?[id]?["mlflow.source.git.branch"] == "main")
      #expect(python?[id]?["mlflow.source.git.repoURL"] == "https://git.example.com/acme/app.git")
    }
    try await fixture.sync()
    #expect(try await fixture.models().count == commits.count, "syncing again adds nothing")
    let after = try await Self.versions(fixture)
    for commit in commits {
      #expect(after[commit]?["modelID"] as? String == ids[commit])
      #expect(after[commit]?["undelivered"] as? Bool == false)
      #expect(after[commit]?["status"] as? String == "READY")
    }
  }

  @Test("a delivery killed with SIGKILL mid-way: the next one delivers every version once, with its ID")
  func deliveryKilled() async throws {
    let fixture = try await HookFixture(mlflowAvailable: false)
    defer { fixture.remove() }
    #expect(try await fixture.cli("install").succeeded)
    try await fixture.git("config", "core.hooksPath", fixture.scratch.root + "/no-hooks")
    for index in 0..<300 {
      try await fixture.git("commit", "-q", "--allow-empty", "-m", "commit \(index)")
    }
    try await fixture.git("config", "--unset", "core.hooksPath")
    _ = try await fixture.cli("backfill", "--limit", "300")
    let ids = try await Self.versions(fixture).compactMapValues { $0["modelID"] as? String }
    #expect(ids.count == 301)
    try await Self.createDatabase(fixture)
    let killed = try await fixture.killMidRun(
      "sync", while: #"[ "$(ls .git/mlflow-git/undelivered | grep -c json)" -gt 250 ]"#,
      count: "ls .git/mlflow-git/undelivered | grep -c json")
    #expect(killed.status == 137, "the delivery was killed")
    #expect(killed.count.map { $0 > 0 } ?? false, "it was killed before it finished")
    try await fixture.sync()
    let models = try await fixture.models()
    #expect(models.count == 301, "every version once")
    #expect(Set(models.map(\.modelID)) == Set(ids.values), "each with the ID it was given")
    #expect(models.allSatisfy { $0.status == .ready })
  }
}
