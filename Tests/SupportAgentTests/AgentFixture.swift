import ChildProcess
import Foundation
import TestSupport

/// A real repository with an MLflow database at its top, where the built `SupportAgent`
/// example runs against a stand-in chat server.
struct AgentFixture {
  let scratch: Scratch
  let repo: String
  /// The environment every run starts from: the scratch git identity, no telemetry.
  let environment: [String: String]

  var databasePath: String { repo + "/mlflow.db" }

  init() async throws {
    scratch = try Scratch()
    repo = try scratch.repository(files: ["agent.swift": "// the support agent\n"])
    try scratch.git(["-C", repo, "remote", "add", "origin", "https://git.example.com/acme/support.git"])
    try await MLflowDatabaseTemplate.copy(to: repo + "/mlflow.db")
    environment = scratch.environment
  }

  func remove() { scratch.remove() }

  /// The commit the repository is at, abbreviated to 7 characters.
  func shortCommit() throws -> String { try scratch.git(["-C", repo, "rev-parse", "--short=7", "HEAD"]) }

  /// Runs the example in `directory` (the repository by default) with the stand-in's base URL
  /// and `key`, plus `extra` variables (``ChildProcess/runLimited(_:arguments:environment:standardInput:outputLimit:)``).
  func runAgent(
    _ arguments: [String] = [], baseURL: String, key: String, in directory: String? = nil,
    extra: [String: String] = [:]
  ) async throws -> ChildProcess.Output {
    try await runAgentTimed(arguments, baseURL: baseURL, key: key, in: directory, extra: extra).output
  }

  /// ``runAgent(_:baseURL:key:in:extra:)``, and how long the example ran.
  func runAgentTimed(
    _ arguments: [String] = [], baseURL: String, key: String, in directory: String? = nil,
    extra: [String: String] = [:]
  ) async throws -> (output: ChildProcess.Output, elapsed: Duration) {
    var environment = self.environment
    environment["OPENAI_BASE_URL"] = baseURL
    environment["OPENAI_API_KEY"] = key
    environment.merge(extra) { $1 }
    return try await ChildProcess.runLimitedTimed(
      "sh", arguments: ["-c", "cd \"$1\" && shift && exec \"$@\"", "run", directory ?? repo, Self.agent] + arguments,
      environment: environment)
  }

  /// The built example.
  static let agent = BuiltProducts.executable(named: "SupportAgent")

  /// Runs Python code with MLflow pointed at `database` (the repository's by default); returns
  /// the JSON it prints last (``ReferenceMLflow/runJSON(_:environment:)``).
  func python(_ code: String, database: String? = nil) async throws -> Any {
    var environment = self.environment
    environment["MLFLOW_TRACKING_URI"] = "sqlite:///" + (database ?? databasePath)
    return try await ReferenceMLflow.runJSON("import json, mlflow\n" + code, environment: environment)
  }

  /// The model ID in the example's `version: <branch>@<commit> (model <id>)` line.
  static func modelID(in output: String) -> String? {
    guard let range = output.range(of: #"\(model (m-[0-9a-f]{32})"#, options: .regularExpression) else { return nil }
    return String(output[range].dropFirst("(model ".count))
  }
}
