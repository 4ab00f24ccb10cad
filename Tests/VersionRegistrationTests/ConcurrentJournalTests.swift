import ChildProcess
import Foundation
import MLflowStore
import RepositoryFixtures
import Testing
import TestSupport

@Suite("The journal loses nothing while hooks append and workers compact")
struct ConcurrentJournalTests {
  /// Commits `count` times in the work tree `directory`, each commit running the hooks (which
  /// append to the journal and start a background worker); returns the commits.
  static func commit(_ count: Int, in directory: String, label: String, fixture: HookFixture) async throws -> [String] {
    var commits: [String] = []
    for index in 0..<count {
      let output = try await fixture.run("git", ["-C", directory, "commit", "-q", "--allow-empty", "-m", "\(label) \(index)"])
      guard output.succeeded else { throw TestFailure("commit failed: \(output.standardErrorText)") }
      let head = try await fixture.run("git", ["-C", directory, "rev-parse", "HEAD"])
      commits.append(head.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    return commits
  }

  @Test("four worktrees committing at once while every worker compacts (a 1-byte compaction size): each commit registered once")
  func hooksAppendWhileWorkersCompact() async throws {
    var prepared = try await HookFixture()
    defer { prepared.remove() }
    // One store for both worktrees, and a compaction after every delivered batch.
    prepared.environment["MLFLOW_TRACKING_URI"] = "sqlite:///" + prepared.databasePath
    prepared.environment["MLFLOW_GIT_JOURNAL_COMPACTION_BYTES"] = "1"
    let fixture = prepared
    #expect(try await fixture.cli("install").succeeded)
    var worktrees = [("main", fixture.repo)]
    for name in ["side1", "side2", "side3"] {
      let linked = fixture.scratch.root + "/" + name
      try await fixture.git("worktree", "add", "-q", "-b", name, linked)
      worktrees.append((name, linked))
    }
    try await fixture.sync()

    let made = try await withThrowingTaskGroup(of: (String, [String]).self) { group in
      for (branch, directory) in worktrees {
        group.addTask { (branch, try await Self.commit(60, in: directory, label: branch, fixture: fixture)) }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    try await fixture.sync()

    var lost: [String] = []
    for (branch, commits) in made {
      for commit in commits {
        let models = try await fixture.models(branch: branch, commit: commit)
        if models.count != 1 { lost.append("\(branch) \(commit.prefix(7)): \(models.count) models") }
      }
    }
    #expect(lost.isEmpty, "\(lost.count) commits not registered exactly once: \(lost.prefix(10))")
    #expect(JournalFile.pendingLines(fixture.stateDirectory) == 0, "everything journaled was delivered")
  }
}

/// What the journal file holds, read from outside mlflow-git.
enum JournalFile {
  /// The complete lines after the delivered offset.
  static func pendingLines(_ stateDirectory: String) -> Int {
    guard let data = FileManager.default.contents(atPath: stateDirectory + "/journal") else { return 0 }
    let offsetText = (try? String(contentsOfFile: stateDirectory + "/journal.offset", encoding: .utf8)) ?? "0"
    let offset = Int(offsetText.split(separator: " ").first.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "0") ?? 0
    guard offset <= data.count else { return -1 }
    return data[data.index(data.startIndex, offsetBy: offset)...].filter { $0 == UInt8(ascii: "\n") }.count
  }
}
