import Foundation
import MLflowStore
import RepositoryFixtures
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration

@Suite("No duplicates, healed index, scoped context")
struct ConcurrencyTests {
  @Test("16 processes starting at once in a fresh clean state: one model, all report it")
  func sixteenProcessesClean() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let ids = try await VersioningFixture.race(16, in: [fixture.repo], environment: fixture.environment)
    #expect(ids.count == 16)
    #expect(Set(ids).count == 1)
    #expect(try await fixture.models().count == 1)
  }

  @Test("16 processes starting at once in a fresh dirty state: one model, all report it")
  func sixteenProcessesDirty() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    try fixture.write("dirty\n", to: "app.py")
    let ids = try await VersioningFixture.race(16, in: [fixture.repo], environment: fixture.environment)
    #expect(Set(ids).count == 1)
    #expect(try await fixture.models().count == 1)
  }

  @Test("separate clones sharing only the store converge on one model (oldest wins)")
  func separateClonesConverge() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let (clones, environment) = try fixture.clonesSharingTheStore(4)
    let ids = try await VersioningFixture.race(16, in: clones, environment: environment)
    #expect(Set(ids).count == 1)
    #expect(try await fixture.models().count == 1)
  }

  @Test("an index entry whose model was deleted in MLflow is detected and healed")
  func staleIndexHealed() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let original = try await fixture.resolve()
    try await fixture.store().deleteLoggedModel(id: original.modelID)

    let trusted = try await fixture.resolve()
    #expect(trusted.foundInIndex && trusted.modelID == original.modelID, "the index answers without the store")

    let healed = try await VersionResolution.resolve(options: fixture.options(verification: .beforeReturning))
    #expect(healed.modelID != original.modelID)
    #expect(try await fixture.store().loggedModel(id: healed.modelID).status == .ready)
    let afterwards = try await fixture.resolve()
    #expect(afterwards.modelID == healed.modelID)
    #expect(afterwards.foundInIndex)
  }
}

@Suite("Active model and scopes", .serialized)
struct ActiveModelTests {
  @Test("the background check replaces a deleted model in the process-wide context")
  func backgroundHealing() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    defer { disableGitModelVersioning() }
    let original = try await fixture.resolve()
    try await fixture.store().deleteLoggedModel(id: original.modelID)
    let context = await enableGitModelVersioning(options: fixture.options(verification: .background))
    #expect(context.activeModel?.modelID == original.modelID)
    var healedID: String?
    // The check runs as a utility-priority task, which a test process busy with other suites
    // may start seconds late: wait up to a minute for it.
    for _ in 0..<2400 {
      if let current = GitVersioningContext.current?.activeModel?.modelID, current != original.modelID {
        healedID = current
        break
      }
      try await Task.sleep(for: .milliseconds(25))
    }
    let healed = try #require(healedID)
    #expect(try await fixture.store().loggedModel(id: healed).lifecycleStage == .active)
  }

  @Test("enable sets the process-wide model; disable clears it; failures warn and leave it nil")
  func enableAndDisable() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    defer { disableGitModelVersioning() }
    let context = await enableGitModelVersioning(options: fixture.options())
    let model = try #require(context.activeModel)
    #expect(ActiveModel.current == model)
    #expect(context.info?.branch == "main")
    #expect(context.environment["MLFLOW_ACTIVE_MODEL_ID"] == model.modelID)
    #expect(context.environment["MLFLOW_TRACKING_URI"] == "sqlite:///" + fixture.databasePath)
    #expect(context.environment["MLFLOW_EXPERIMENT_ID"] == "0")
    disableGitModelVersioning()
    #expect(GitVersioningContext.current == nil)

    var outside = fixture.options()
    outside.directory = fixture.scratch.root
    let failed = await enableGitModelVersioning(options: outside)
    #expect(failed.info == nil)
    #expect(failed.activeModel == nil)
    #expect(failed.problem?.description.contains("not inside a Git work tree") == true)
  }

  @Test("a scope sets its model for its task only and restores the previous one")
  func scopedRestores() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    defer { disableGitModelVersioning() }
    let outer = await enableGitModelVersioning(options: fixture.options())
    try fixture.git("switch", "-q", "-c", "scoped")
    let inner = await withGitModelVersioning(options: fixture.options()) { context in
      #expect(ActiveModel.current == context.activeModel)
      #expect(ActiveModel.current != outer.activeModel)
      return context
    }
    #expect(inner.info?.branch == "scoped")
    #expect(ActiveModel.current == outer.activeModel)
  }

  @Test("nested scopes in concurrent tasks do not see each other's model")
  func concurrentScopesIsolated() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let other = try await VersioningFixture()
    defer { other.remove() }
    try other.git("switch", "-q", "-c", "other")
    async let first: (String?, String?) = withGitModelVersioning(options: fixture.options()) { context in
      try? await Task.sleep(for: .milliseconds(100))
      return (context.activeModel?.modelID, ActiveModel.current?.modelID)
    }
    async let second: (String?, String?) = withGitModelVersioning(options: other.options()) { context in
      try? await Task.sleep(for: .milliseconds(100))
      return (context.activeModel?.modelID, ActiveModel.current?.modelID)
    }
    let (a, b) = await (first, second)
    #expect(a.0 != nil && a.0 == a.1)
    #expect(b.0 != nil && b.0 == b.1)
    #expect(a.0 != b.0)
  }
}
