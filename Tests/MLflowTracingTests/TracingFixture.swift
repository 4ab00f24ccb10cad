import ChildProcess
import Foundation
import GitVersioning
import MLflowStore
import TestSupport

/// A real repository with an MLflow database at its top; `run` runs code with its version
/// active (a `withGitModelVersioning` scope), so traces link to it and go to its database.
struct TracingFixture {
  let scratch: Scratch
  let repo: String
  var environment: [String: String]

  var databasePath: String { repo + "/mlflow.db" }

  init() throws {
    scratch = try Scratch()
    repo = try scratch.repository()
    try scratch.git(["-C", repo, "remote", "add", "origin", "https://git.example.com/acme/app.git"])
    try MLflowDatabaseTemplate.copy(to: repo + "/mlflow.db")
    environment = scratch.environment
    environment["MLFLOW_GIT_QUIET"] = "1"
  }

  func remove() { scratch.remove() }

  var options: GitVersioningOptions {
    GitVersioningOptions(directory: repo, environment: environment, indexVerification: .never)
  }

  /// Runs `body` with the repository's version active.
  func withVersion<Result: Sendable>(_ body: (GitVersioningContext) async throws -> Result) async throws -> Result {
    try await withGitModelVersioning(options: options) { context in
      guard context.activeModel != nil else { throw TestFailure("no active version: \(String(describing: context.problem))") }
      return try await body(context)
    }
  }

  func store() throws -> SQLiteTrackingStore {
    try SQLiteTrackingStore(databasePath: databasePath, options: .init(createIfMissing: false))
  }

  /// Runs Python code with MLflow pointed at the repository's database; returns the JSON it
  /// prints last.
  func python(_ code: String) throws -> Any {
    var environment = self.environment
    environment["MLFLOW_TRACKING_URI"] = "sqlite:///" + databasePath
    return try ReferenceMLflow.runJSON("import json, mlflow\n" + code, environment: environment)
  }
}
