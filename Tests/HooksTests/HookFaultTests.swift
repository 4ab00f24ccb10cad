import ChildProcess
import Foundation
import MLflowStore
import Testing
import TestSupport

@Suite("Nothing journaled is lost")
struct HookFaultTests {
  /// Makes `count` commits with the hooks installed; returns their ids.
  static func commit(_ count: Int, in fixture: HookFixture) throws -> [String] {
    var commits: [String] = []
    for index in 0..<count {
      try fixture.git("commit", "-q", "--allow-empty", "-m", "commit \(index)")
      commits.append(try fixture.head())
    }
    return commits
  }

  @Test("no store and no MLflow during 100 commits: all journaled, then each registered exactly once")
  func storeAbsentThenBack() async throws {
    var fixture = try HookFixture(mlflowAvailable: false)
    defer { fixture.remove() }
    #expect(try fixture.cli("install").succeeded)
    let commits = try Self.commit(100, in: fixture)
    let pendingSync = try fixture.cli("sync")
    #expect(!pendingSync.succeeded, "the store cannot be created without MLflow")
    #expect(!FileManager.default.fileExists(atPath: fixture.databasePath), "no partial database is invented")
    let versions = try fixture.cli("versions", "--json")
    #expect(versions.standardOutputText.contains(commits[99]), "journaled versions are listed")

    fixture.environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] = try ReferenceMLflow.mlflowExecutable()
    try fixture.sync()
    for commit in commits {
      #expect(try await fixture.models(branch: "main", commit: commit).count == 1)
    }
    try fixture.sync()
    #expect(try await fixture.models().count == 101, "100 commits and the install-time version, none twice")
  }

  @Test("mlflow.db locked by another writer during commits: delivered once the lock is gone")
  func storeLocked() async throws {
    let fixture = try HookFixture()
    defer { fixture.remove() }
    #expect(try fixture.cli("install").succeeded)
    try fixture.sync()
    // Another process holds an exclusive write lock until the test lets it go.
    let release = fixture.scratch.root + "/release"
    let released = fixture.scratch.root + "/released"
    _ = try ChildProcess.run(
      "sh",
      arguments: [
        "-c",
        "{ ( printf 'BEGIN EXCLUSIVE;\\nSELECT 1;\\n'; while [ ! -e \"$2\" ]; do sleep 0.1; done; printf 'COMMIT;\\n' )"
          + " | sqlite3 \"$1\"; touch \"$3\"; } >/dev/null 2>&1 &",
        "hold", fixture.databasePath, release, released,
      ])
    try await Task.sleep(for: .milliseconds(500))
    let commits = try Self.commit(20, in: fixture)
    let locked = try fixture.cli("sync")
    #expect(!locked.succeeded)
    #expect(locked.standardErrorText.contains("stay journaled"))
    _ = FileManager.default.createFile(atPath: release, contents: nil)
    while !FileManager.default.fileExists(atPath: released) { try await Task.sleep(for: .milliseconds(100)) }
    try fixture.sync()
    for commit in commits {
      #expect(try await fixture.models(branch: "main", commit: commit).count == 1)
    }
  }

  @Test("a worker killed with SIGKILL mid-batch: the next one delivers everything exactly once")
  func workerKilled() async throws {
    let fixture = try HookFixture()
    defer { fixture.remove() }
    #expect(try fixture.cli("install").succeeded)
    try fixture.sync()
    try fixture.git("config", "core.hooksPath", fixture.scratch.root + "/no-hooks")  // journal by backfill instead
    let commits = try Self.commit(150, in: fixture)
    try fixture.git("config", "--unset", "core.hooksPath")
    // Kill the delivery once it has registered some versions but not all.
    let killed = try ChildProcess.run(
      "sh",
      arguments: [
        "-c",
        """
        cd "$1" || exit 1
        "$2" backfill --limit 150 >/dev/null 2>&1 & pid=$!
        tries=0
        while [ "$(wc -l < .git/mlflow-git/versions)" -lt 30 ] && [ $tries -lt 1500 ]; do
          sleep 0.02; tries=$((tries + 1))
        done
        kill -9 $pid; wait $pid; echo "$? $(wc -l < .git/mlflow-git/versions)"
        """,
        "kill", fixture.repo, HookFixture.cliPath,
      ], environment: fixture.environment)
    let fields = killed.standardOutputText.split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    #expect(fields.first == 137, "the worker was killed")
    #expect((fields.last ?? 0).map { $0 < 151 } ?? false, "it was killed before it finished")
    try fixture.sync()
    for commit in commits {
      #expect(try await fixture.models(branch: "main", commit: commit).count == 1, "\(commit.prefix(7))")
    }
  }

  @Test("a corrupt journal line is skipped with a warning; the rest is delivered")
  func corruptLine() async throws {
    let fixture = try HookFixture()
    defer { fixture.remove() }
    #expect(try fixture.cli("install").succeeded)
    try fixture.sync()
    let commit = try Self.commit(1, in: fixture)[0]
    let journal = fixture.stateDirectory + "/journal"
    let handle = try #require(FileHandle(forWritingAtPath: journal))
    handle.seekToEndOfFile()
    handle.write(Data("this is not a journal line\nv1\tpost-commit\tgarbage\n".utf8))
    handle.closeFile()
    try fixture.git("commit", "-q", "--allow-empty", "-m", "after the corruption")
    let after = try fixture.head()
    let sync = try fixture.cli("sync", "--json")
    #expect(sync.succeeded)
    try fixture.sync()
    #expect(try await fixture.models(branch: "main", commit: commit).count == 1)
    #expect(try await fixture.models(branch: "main", commit: after).count == 1)
    let log = try String(contentsOfFile: fixture.stateDirectory + "/worker.log", encoding: .utf8)
    #expect(log.contains("unreadable journal line"))
  }

  @Test("state files are private")
  func privatePermissions() throws {
    let fixture = try HookFixture()
    defer { fixture.remove() }
    #expect(try fixture.cli("install").succeeded)
    try fixture.git("commit", "-q", "--allow-empty", "-m", "x")
    try fixture.sync()
    for name in ["journal", "versions", "journal.offset"] {
      let attributes = try FileManager.default.attributesOfItem(atPath: fixture.stateDirectory + "/" + name)
      #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(name)")
    }
    let folder = try FileManager.default.attributesOfItem(atPath: fixture.stateDirectory)
    #expect((folder[.posixPermissions] as? Int) == 0o700)
  }
}
