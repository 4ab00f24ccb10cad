import Foundation
import MLflowStore
import RepositoryFixtures
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration

@Suite("Version identity, as MLflow defines it")
struct VersionIdentityTests {
  @Test("a clean state gets one READY model named after it, reused on the next start from the index")
  func cleanReuse() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let first = try await fixture.resolve()
    #expect(first.created)
    #expect(!first.foundInIndex)
    let second = try await fixture.resolve()
    #expect(second.modelID == first.modelID)
    #expect(second.foundInIndex)

    let models = try await fixture.models()
    #expect(models.count == 1)
    let model = try #require(models.first)
    let commit = try fixture.scratch.git(["-C", fixture.repo, "rev-parse", "HEAD"])
    #expect(model.name == "main-" + commit.prefix(7))
    #expect(model.status == .ready)
    #expect(model.tags[VersionTagKey.branch] == "main")
    #expect(model.tags[VersionTagKey.commit] == commit)
    #expect(model.tags[VersionTagKey.dirty] == "false")
    #expect(model.tags[VersionTagKey.repoURL] == "https://git.example.com/acme/app.git")
    #expect(model.tags[VersionTagKey.diff] == nil)
  }

  @Test("a new commit, a new branch at the same commit, a changed remote: each a new model")
  func newStatesNewModels() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let initial = try await fixture.resolve().modelID

    try fixture.git("commit", "-q", "--allow-empty", "-m", "second")
    let afterCommit = try await fixture.resolve().modelID
    #expect(afterCommit != initial)

    try fixture.git("switch", "-q", "-c", "feature/x")
    let onBranch = try await fixture.resolve()
    #expect(onBranch.modelID != afterCommit)
    #expect(onBranch.version.displayName.hasPrefix("feature-x-"))

    try fixture.git("remote", "set-url", "origin", "https://git.example.com/acme/fork.git")
    let newRemote = try await fixture.resolve().modelID
    #expect(newRemote != onBranch.modelID)

    try fixture.git("switch", "-q", "main")
    try fixture.git("remote", "set-url", "origin", "https://git.example.com/acme/app.git")
    #expect(try await fixture.resolve().modelID == afterCommit)
    #expect(try await fixture.models().count == 4)
  }

  @Test("dirty: a model per distinct diff, the same diff twice is one, clean again is the clean model")
  func dirtyVersions() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let clean = try await fixture.resolve().modelID

    try fixture.write("untracked\n", to: "notes.txt")
    #expect(try await fixture.resolve().modelID == clean, "untracked files keep the clean version")

    try fixture.write("def app():\n    return \"v2\"\n", to: "app.py")
    let diffA = try fixture.scratch.git(["-C", fixture.repo, "diff"])
    let dirtyA = try await fixture.resolve()
    #expect(dirtyA.modelID != clean)
    #expect(dirtyA.version.displayName.contains("-dirty-"))
    #expect(try await fixture.resolve().modelID == dirtyA.modelID, "the same diff is the same version")

    try fixture.write("def app():\n    return \"v3\"\n", to: "app.py")
    let dirtyB = try await fixture.resolve().modelID
    #expect(dirtyB != dirtyA.modelID, "a different diff is a different version")

    try fixture.write("def app():\n    return \"v2\"\n", to: "app.py")
    #expect(try await fixture.resolve().modelID == dirtyA.modelID)

    try fixture.git("checkout", "-q", "--", "app.py")
    #expect(try await fixture.resolve().modelID == clean)

    let models = try await fixture.models()
    #expect(models.count == 3)
    let modelA = try #require(models.first { $0.modelID == dirtyA.modelID })
    #expect(modelA.tags[VersionTagKey.dirty] == "true")
    #expect(modelA.tags[VersionTagKey.diff] == diffA, "MLflow's diff format: git diff without its last newline")
    #expect(modelA.tags[VersionTagKey.diffDigest] == dirtyA.version.diffDigest)
  }

  @Test("one dirty version per commit, as MLflow does, when asked")
  func perCommitPolicy() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    try fixture.write("v2\n", to: "app.py")
    let first = try await fixture.resolve(.perCommit)
    try fixture.write("v3\n", to: "app.py")
    let second = try await fixture.resolve(.perCommit)
    #expect(second.modelID == first.modelID)
    let model = try await fixture.store().loggedModel(id: second.modelID)
    #expect(model.tags[VersionTagKey.diff]?.contains("+v3") == true, "the diff tag follows the latest diff")
  }

  @Test("another experiment is another version")
  func experimentChanged() async throws {
    var fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let inDefault = try await fixture.resolve()
    fixture.environment["MLFLOW_EXPERIMENT_NAME"] = "agents"
    let inAgents = try await fixture.resolve()
    #expect(inAgents.modelID != inDefault.modelID)
    #expect(inAgents.experimentID != "0")
    #expect(try await fixture.resolve().modelID == inAgents.modelID)
  }

  @Test("a branch named feat/it's and a remote with a token: exact branch, no token stored")
  func quotesAndCredentials() async throws {
    let fixture = try await VersioningFixture(remote: "https://ci:ghp_s3cret@github.com/acme/app.git")
    defer { fixture.remove() }
    try fixture.git("switch", "-q", "-c", "feat/it's")
    let resolution = try await fixture.resolve()
    let model = try await fixture.store().loggedModel(id: resolution.modelID)
    #expect(model.tags[VersionTagKey.branch] == "feat/it's")
    #expect(model.tags[VersionTagKey.repoURL] == "https://github.com/acme/app.git")
    #expect(!model.tags.values.contains { $0.contains("s3cret") })
    #expect(model.name == "feat-it-s-" + resolution.version.commit.prefix(7))
    let index = VersionIndex(stateDirectory: fixture.repo + "/.git/mlflow-git").entries()
    #expect(index.count == 1 && !"\(index)".contains("s3cret"))
  }

  @Test("no remote: the version has no repoURL and does not match a model that has one")
  func noRemote() async throws {
    let fixture = try await VersioningFixture(remote: nil)
    defer { fixture.remove() }
    let store = try fixture.store()
    let commit = try fixture.scratch.git(["-C", fixture.repo, "rev-parse", "HEAD"])
    _ = try await store.createLoggedModel(
      experimentID: "0", name: "with-remote",
      tags: [VersionTagKey.branch: "main", VersionTagKey.commit: commit, VersionTagKey.dirty: "false",
             VersionTagKey.repoURL: "https://elsewhere/x.git"])
    let resolution = try await fixture.resolve()
    #expect(resolution.created)
    let model = try await store.loggedModel(id: resolution.modelID)
    #expect(model.tags[VersionTagKey.repoURL] == nil)
  }

  @Test("a diff over the tag bound: the tag is cut with a marker, the whole diff is the artifact git.diff")
  func bigDiff() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    try fixture.write(String(repeating: "a line of a large generated file\n", count: 20_000), to: "app.py")
    var options = fixture.options()
    options.maxDiffTagBytes = 10_000
    let resolution = try await VersionResolution.resolve(options: options)
    let model = try await fixture.store().loggedModel(id: resolution.modelID)
    let tag = try #require(model.tags[VersionTagKey.diff])
    #expect(tag.utf8.count <= 10_000)
    #expect(tag.contains("[mlflow-git: diff of"))
    #expect(model.tags[VersionTagKey.diffTruncated] == "true")
    let diff = try #require(resolution.version.diff)
    #expect(model.tags[VersionTagKey.diffSize] == String(diff.count))
    let artifact = try Data(contentsOf: URL(fileURLWithPath: model.artifactLocation + "/git.diff"))
    #expect(Array(artifact) == diff)
    #expect(SHA256.hexDigest(Array(artifact)) == model.tags[VersionTagKey.diffDigest])
  }
}
