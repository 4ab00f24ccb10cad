import ChildProcess
import Foundation
import GitState
import LocalFiles
import MLflowStore
import RepositoryFixtures
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration

/// The background worker prints nothing, so what goes wrong must reach `worker.log`, and a
/// failure must never turn into a different version.
@Suite("Background failures reach the worker's log")
struct BackgroundFailureTests {
  static func worker(_ fixture: VersioningFixture) async throws {
    let output = try await VersioningFixture.cli(["sync", "--background"], in: fixture.repo, environment: fixture.environment)
    #expect(output.output.succeeded && output.output.standardOutput.isEmpty && output.output.standardError.isEmpty)
  }

  static func workerLog(_ fixture: VersioningFixture) -> String {
    (try? String(contentsOfFile: fixture.repo + "/.git/mlflow-git/worker.log", encoding: .utf8)) ?? ""
  }

  static func journal(_ fixture: VersioningFixture, branch: String = "main") throws -> GitRepository {
    let repository = try GitRepository.discover(from: fixture.repo, environment: fixture.environment)
    try JournalDelivery.journal(
      commits: [try fixture.scratch.git(["-C", fixture.repo, "rev-parse", "HEAD"])], branch: branch, in: repository,
      environment: fixture.environment)
    return repository
  }

  @Test("an unreadable delivery offset is logged, and the entry waits")
  func unreadableOffset() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    _ = try Self.journal(fixture)
    try FileManager.default.createDirectory(
      atPath: fixture.repo + "/.git/mlflow-git/journal.offset", withIntermediateDirectories: true)
    try await Self.worker(fixture)
    #expect(Self.workerLog(fixture).contains("journal could not be read"), "log: \(Self.workerLog(fixture))")
    #expect(try await fixture.models().isEmpty)
  }

  @Test("a journaled state whose branch is gone is skipped, and the log says so")
  func skippedStateLogged() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    try fixture.git("branch", "short-lived")
    let repository = try GitRepository.discover(from: fixture.repo, environment: fixture.environment)
    try PrivateFiles.createDirectory(Registration.stateDirectory(of: repository))
    try Journal(stateDirectory: Registration.stateDirectory(of: repository)).append([
      Journal.Entry(event: "post-checkout", head: "ref: refs/heads/short-lived", commit: nil, gitDirectory: repository.gitDirectory)
    ])
    try fixture.git("branch", "-D", "short-lived")
    try await Self.worker(fixture)
    #expect(Self.workerLog(fixture).contains("branch 'short-lived'"), "log: \(Self.workerLog(fixture))")
  }

  @Test("a config that cannot be read registers nothing without its remote: the entries wait and the log says why")
  func unreadableConfig() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    _ = try Self.journal(fixture)
    let config = fixture.repo + "/.git/config"
    let original = try Data(contentsOf: URL(fileURLWithPath: config))
    try (original + Data("[broken\n".utf8)).write(to: URL(fileURLWithPath: config))
    try await Self.worker(fixture)
    #expect(try await fixture.models().isEmpty, "no version registered without its remote URL")
    #expect(Self.workerLog(fixture).contains("journaled versions wait"), "log: \(Self.workerLog(fixture))")
    try original.write(to: URL(fileURLWithPath: config))
    try await Self.worker(fixture)
    let models = try await fixture.models()
    #expect(models.count == 1 && models.first?.tags[VersionTagKey.repoURL] == "https://git.example.com/acme/app.git")
  }

  @Test("states journaled for an experiment or a store that cannot be used are skipped with the reason; the rest is delivered")
  func unusableTargetsSkipped() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let repository = try GitRepository.discover(from: fixture.repo, environment: fixture.environment)
    var commits: [String] = []
    for variables in [["MLFLOW_EXPERIMENT_ID": "999"], ["MLFLOW_TRACKING_URI": "databricks"], [:]] {
      try fixture.git("commit", "-q", "--allow-empty", "-m", "c\(commits.count)")
      commits.append(try fixture.scratch.git(["-C", fixture.repo, "rev-parse", "HEAD"]))
      try JournalDelivery.journal(
        commits: [commits.last!], branch: "main", in: repository, environment: fixture.environment.merging(variables) { $1 })
    }
    try await Self.worker(fixture)
    let log = Self.workerLog(fixture)
    #expect(try await fixture.models().compactMap { $0.tags[VersionTagKey.commit] } == [commits[2]])
    #expect(log.contains("skipped the journaled states for") && log.contains("'999'"), "log: \(log)")
    #expect(log.contains("skipped a journaled state") && log.contains("databricks"), "log: \(log)")
    #expect(JournalDelivery.pending(in: repository).isEmpty, "nothing is left waiting behind them")
  }

  @Test("the worker's log is rotated past its limit: two files at most, the latest line in the current one")
  func workerLogRotated() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let line = String(repeating: "x", count: 1000)
    for index in 0..<(2 * JournalDelivery.workerLogLimit / 1000 + 50) {
      JournalDelivery.log("\(index) \(line)", in: scratch.root)
    }
    let current = try #require(PrivateFiles.size(of: scratch.root + "/worker.log"))
    let previous = try #require(PrivateFiles.size(of: scratch.root + "/worker.log.1"))
    #expect(current <= JournalDelivery.workerLogLimit + 1100 && previous <= JournalDelivery.workerLogLimit + 1100)
    let names = try FileManager.default.contentsOfDirectory(atPath: scratch.root).filter { $0.hasPrefix("worker.log") }
    #expect(names.sorted() == ["worker.log", "worker.log.1"])
  }
}
