import ChildProcess
import Foundation
import MLflowStore
import RepositoryFixtures
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration

@Suite("A dirty version with a changed binary file can be restored")
struct BinaryDiffTests {
  static let before: [UInt8] = [0, 1, 2, 3, 255, 254] + Array(repeating: 7, count: 300)
  static let after: [UInt8] = [0, 9, 9, 3, 255, 0] + Array(repeating: 8, count: 310)

  /// Commits `model.bin` (``before``), then changes it to ``after`` without committing; returns
  /// the commit.
  static func changeBinaryFile(in fixture: VersioningFixture) throws -> String {
    try fixture.scratch.write(before, to: fixture.repo + "/model.bin")
    try fixture.git("add", "model.bin")
    try fixture.git("commit", "-q", "-m", "a binary file")
    let commit = try fixture.scratch.git(["-C", fixture.repo, "rev-parse", "HEAD"])
    try fixture.scratch.write(after, to: fixture.repo + "/model.bin")
    return commit
  }

  /// Applies `mlflow-git diff MODEL`'s output in a fresh clone checked out at `commit`; returns
  /// the clone and `git apply`'s output.
  static func restore(_ modelID: String, commit: String, fixture: VersioningFixture) async throws
    -> (clone: String, diff: ChildProcess.Output, apply: ChildProcess.Output)
  {
    let diff = try await VersioningFixture.cli(["diff", modelID], in: fixture.repo, environment: fixture.environment).output
    let clone = fixture.scratch.root + "/restore-" + modelID
    try fixture.scratch.git(["clone", "-q", fixture.repo, clone])
    try fixture.scratch.git(["-C", clone, "checkout", "-q", commit])
    let apply = try await ChildProcess.runAsync(
      "git", arguments: ["-C", clone, "apply"], environment: fixture.environment, standardInput: diff.standardOutput)
    return (clone, diff, apply)
  }

  @Test("the tag keeps MLflow's text; `mlflow-git diff` gives the binary patch, and `git apply` restores the tree")
  func binaryChangeRestored() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let commit = try Self.changeBinaryFile(in: fixture)
    try fixture.write("print('v2')\n", to: "app.py")

    let resolution = try await fixture.resolve()
    let model = try await fixture.store().loggedModel(id: resolution.modelID)
    #expect(model.tags[VersionTagKey.diff]?.contains("Binary files a/model.bin and b/model.bin differ") == true)
    #expect(model.tags[VersionTagKey.diffTruncated] == nil, "MLflow's text, whole")

    let restored = try await Self.restore(resolution.modelID, commit: commit, fixture: fixture)
    #expect(restored.diff.succeeded && restored.diff.standardErrorText.contains("git checkout \(commit.prefix(12))"))
    #expect(restored.apply.succeeded, "git apply: \(restored.apply.standardErrorText)")
    #expect(FileManager.default.contents(atPath: restored.clone + "/model.bin").map(Array.init) == Self.after)
    #expect(try String(contentsOfFile: restored.clone + "/app.py", encoding: .utf8) == "print('v2')\n")

    // Another edit of the binary file reads the same in MLflow's text, but is another version.
    try fixture.scratch.write(Self.after + [42], to: fixture.repo + "/model.bin")
    let other = try await fixture.resolve()
    #expect(other.modelID != resolution.modelID)
  }

  @Test("an undelivered dirty version keeps its binary patch until delivery")
  func undeliveredBinaryChange() async throws {
    let fixture = try await VersioningFixture(freshMachine: true)
    defer { fixture.remove() }
    let commit = try Self.changeBinaryFile(in: fixture)
    let resolution = try await fixture.resolve()
    #expect(!resolution.isDelivered)
    let restored = try await Self.restore(resolution.modelID, commit: commit, fixture: fixture)
    #expect(restored.apply.succeeded, "git apply: \(restored.apply.standardErrorText)")
    #expect(FileManager.default.contents(atPath: restored.clone + "/model.bin").map(Array.init) == Self.after)
  }
}
