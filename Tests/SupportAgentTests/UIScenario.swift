import ChildProcess
import Foundation
import TestSupport

/// What the UI tests look at: the example answered once in a repository, and a real
/// `mlflow server` over that repository's `mlflow.db`. Set up once per test process and
/// stopped when it exits.
final class UIScenario: Sendable {
  static let shared = Task { try await UIScenario() }

  static let question = "Can I get a refund?"

  let fixture: AgentFixture
  let server: MLflowServer
  /// The version the example ran as.
  let modelID: String
  /// Its name in the UI, e.g. `main-93be08f`.
  let versionName: String

  private init() async throws {
    fixture = try await AgentFixture()
    let fixture = self.fixture
    ExitCleanup.add { fixture.remove() }
    let chat = try await StandInServer(in: fixture.scratch.root, key: "sk-ui")
    defer { chat.stop() }
    let output = try await fixture.runAgent([Self.question], baseURL: chat.baseURL, key: chat.key)
    guard output.succeeded, let modelID = AgentFixture.modelID(in: output.standardOutputText) else {
      throw TestFailure("SupportAgent failed: \(output.standardOutputText) \(output.standardErrorText)")
    }
    self.modelID = modelID
    versionName = "main-" + (try fixture.shortCommit())
    server = try await MLflowServer.started(
      backendURI: "sqlite:///" + fixture.databasePath, directory: fixture.scratch.root,
      arguments: ["--default-artifact-root", fixture.scratch.root + "/mlartifacts"])
  }
}
