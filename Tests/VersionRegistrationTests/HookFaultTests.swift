import ChildProcess
import Foundation
import MLflowStore
import RepositoryFixtures
import Testing
import TestSupport

@Suite("Nothing journaled is lost")
struct HookFaultTests {
  /// Makes `count` commits with the hooks installed; returns their ids.
  static func commit(_ count: Int, in fixture: HookFixture) async throws -> [String] {
    var commits: [String] = []
    for index in 0..<count {
      try await fixture.git("commit", "-q", "--allow-empty", "-m", "commit \(index)")
      commits.append(try await fixture.head())
    }
    return commits
  }

  @Test("no store and no MLflow during 100 commits: all journaled, then each registered exactly once")
  func storeAbsentThenBack() async throws {
    var fixture = try await HookFixture(mlflowAvailable: false)
    defer { fixture.remove() }
    #expect(try await fixture.cli("install").succeeded)
    let commits = try await Self.commit(100, in: fixture)
    let pendingSync = try await fixture.cli("sync")
    #expect(!pendingSync.succeeded, "the store cannot be created without MLflow")
    #expect(!FileManager.default.fileExists(atPath: fixture.databasePath), "no partial database is invented")
    let versions = try await fixture.cli("versions", "--json")
    #expect(versions.standardOutputText.contains(commits[99]), "journaled versions are listed")

    fixture.environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] = try await ReferenceMLflow.mlflowExecutable()
    try await fixture.sync()
    for commit in commits {
      #expect(try await fixture.models(branch: "main", commit: commit).count == 1)
    }
    try await fixture.sync()
    #expect(try await fixture.models().count == 101, "100 commits and the install-time version, none twice")
  }

  @Test("mlflow.db locked by another writer during commits: delivered once the lock is gone")
  func storeLocked() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    #expect(try await fixture.cli("install").succeeded)
    try await fixture.sync()
    // Another process holds an exclusive write lock until the test lets it go.
    let release = fixture.scratch.root + "/release"
    let released = fixture.scratch.root + "/released"
    _ = try await ChildProcess.runAsync(
      "sh",
      arguments: [
        "-c",
        "{ ( printf 'BEGIN EXCLUSIVE;\\nSELECT 1;\\n'; while [ ! -e \"$2\" ]; do sleep 0.1; done; printf 'COMMIT;\\n' )"
          + " | sqlite3 \"$1\"; touch \"$3\"; } >/dev/null 2>&1 &",
        "hold", fixture.databasePath, release, released,
      ])
    try await Task.sleep(for: .milliseconds(500))
    let commits = try await Self.commit(20, in: fixture)
    let locked = try await fixture.cli("sync")
    #expect(!locked.succeeded)
    #expect(locked.standardErrorText.contains("stay journaled"))
    _ = try? Data().write(to: URL(fileURLWithPath: release))
    while !FileManager.default.fileExists(atPath: released) { try await Task.sleep(for: .milliseconds(100)) }
    try await fixture.sync()
    for commit in commits {
      #expect(try await fixture.models(branch: "main", commit: commit).count == 1)
    }
  }

  @Test("a worker killed with SIGKILL mid-batch: the next one delivers everything exactly once")
  func workerKilled() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    #expect(try await fixture.cli("install").succeeded)
    try await fixture.sync()
    try await fixture.git("config", "core.hooksPath", fixture.scratch.root + "/no-hooks")  // journal by backfill instead
    let commits = try await Self.commit(150, in: fixture)
    try await fixture.git("config", "--unset", "core.hooksPath")
    // Kill the delivery once it has registered some versions but not all.
    let killed = try await fixture.killMidRun(
      "backfill --limit 150", while: #"[ "$(cat .git/mlflow-git/index/* 2>/dev/null | wc -l)" -lt 30 ]"#,
      count: "cat .git/mlflow-git/index/* | wc -l")
    #expect(killed.status == 137, "the worker was killed")
    #expect(killed.count.map { $0 < 151 } ?? false, "it was killed before it finished")
    try await fixture.sync()
    for commit in commits {
      let models = try await fixture.models(branch: "main", commit: commit)
      #expect(models.count == 1, "\(commit.prefix(7))")
      #expect(models.allSatisfy { $0.status == .ready }, "\(commit.prefix(7)) is READY, not left PENDING")
    }
  }

  @Test("a corrupt journal line is skipped with a warning; the rest is delivered")
  func corruptLine() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    #expect(try await fixture.cli("install").succeeded)
    try await fixture.sync()
    let commit = try await Self.commit(1, in: fixture)[0]
    let journal = fixture.stateDirectory + "/journal"
    let handle = try #require(FileHandle(forWritingAtPath: journal))
    handle.seekToEndOfFile()
    handle.write(Data("this is not a journal line\nv1\tpost-commit\tgarbage\n".utf8))
    handle.closeFile()
    try await fixture.git("commit", "-q", "--allow-empty", "-m", "after the corruption")
    let after = try await fixture.head()
    let sync = try await fixture.cli("sync", "--json")
    #expect(sync.succeeded)
    try await fixture.sync()
    #expect(try await fixture.models(branch: "main", commit: commit).count == 1)
    #expect(try await fixture.models(branch: "main", commit: after).count == 1)
    let log = try String(contentsOfFile: fixture.stateDirectory + "/worker.log", encoding: .utf8)
    #expect(log.contains("unreadable journal line"))
  }

  @Test("state files are private")
  func privatePermissions() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    #expect(try await fixture.cli("install").succeeded)
    try await fixture.git("commit", "-q", "--allow-empty", "-m", "x")
    try await fixture.sync()
    let index = try FileManager.default.contentsOfDirectory(atPath: fixture.stateDirectory + "/index")
    #expect(!index.isEmpty)
    for name in ["journal", "journal.offset"] + index.map({ "index/" + $0 }) {
      let attributes = try FileManager.default.attributesOfItem(atPath: fixture.stateDirectory + "/" + name)
      #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(name)")
    }
    for folder in [fixture.stateDirectory, fixture.stateDirectory + "/index"] {
      #expect((try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int) == 0o700)
    }
  }
}
