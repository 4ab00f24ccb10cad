import Foundation
import MLflowStore
import RepositoryFixtures
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration

@Suite("Python MLflow and Swift share versions")
struct PythonInteropTests {
  @Test("Python's enable_git_model_versioning() reuses the models Swift created, clean and dirty per commit")
  func pythonReusesOurs() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let clean = try await fixture.resolve()
    let python = try await fixture.python(
      """
      import mlflow
      context = mlflow.genai.enable_git_model_versioning()
      print(json.dumps({"id": context.active_model.model_id,
                        "count": len(mlflow.search_logged_models(output_format="list"))}))
      """) as? [String: Any]
    #expect(python?["id"] as? String == clean.modelID)
    #expect(python?["count"] as? Int == 1)
  }

  @Test("Swift reuses the clean model Python created, with identical tags, and keeps its name")
  func weReusePythons() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let python = try await fixture.python(
      """
      import mlflow
      context = mlflow.genai.enable_git_model_versioning()
      print(json.dumps({"id": context.active_model.model_id}))
      """) as? [String: Any]
    let pythonID = try #require(python?["id"] as? String)
    let resolution = try await fixture.resolve()
    #expect(resolution.modelID == pythonID)
    #expect(!resolution.created)
    let model = try await fixture.store().loggedModel(id: pythonID)
    #expect(model.tags[VersionTagKey.commit] == resolution.version.commit)
    #expect(model.status == .pending, "Python's model is left as Python made it")
  }

  @Test("with the one-per-commit policy Swift reuses Python's dirty model and refreshes its diff")
  func dirtyPerCommitSharesPythons() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    try fixture.write("changed by python\n", to: "app.py")
    let python = try await fixture.python(
      """
      import mlflow
      context = mlflow.genai.enable_git_model_versioning()
      print(json.dumps({"id": context.active_model.model_id}))
      """) as? [String: Any]
    let pythonID = try #require(python?["id"] as? String)
    try fixture.write("changed by swift\n", to: "app.py")
    #expect(try await fixture.resolve(.perCommit).modelID == pythonID)
    let tags = try await fixture.store().loggedModel(id: pythonID).tags
    #expect(tags[VersionTagKey.diff]?.contains("+changed by swift") == true)
  }

  @Test("a per-diff version whose diff tag Python rewrote is not reused for the old diff")
  func pythonRewroteOurDiff() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    try fixture.write("diff A\n", to: "app.py")
    let ours = try await fixture.resolve()
    // Python, on another diff of the same commit, finds our dirty model and overwrites its diff.
    try fixture.write("diff B\n", to: "app.py")
    let python = try await fixture.python(
      """
      import mlflow
      context = mlflow.genai.enable_git_model_versioning()
      print(json.dumps({"id": context.active_model.model_id}))
      """) as? [String: Any]
    #expect(python?["id"] as? String == ours.modelID)
    // Back on diff A: the old model's recorded diff is no longer A's, so A gets a new model.
    try fixture.write("diff A\n", to: "app.py")
    var options = fixture.options()
    options.indexVerification = .never
    try? FileManager.default.removeItem(atPath: fixture.repo + "/.git/mlflow-git/index")
    let again = try await VersionResolution.resolve(options: options)
    #expect(again.modelID != ours.modelID)
    let tags = try await fixture.store().loggedModel(id: again.modelID).tags
    #expect(tags[VersionTagKey.diff]?.contains("+diff A") == true)
  }
}
