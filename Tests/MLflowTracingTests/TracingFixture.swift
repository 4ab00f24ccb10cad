import ChildProcess
import Foundation
import GitVersioning
import MLflowStore
import TestSupport

/// A real repository whose versions and traces go to an MLflow database at its top, or to a
/// real `mlflow server`; `withVersion` runs code with its version active (a
/// `withGitModelVersioning` scope), so traces link to it and go to its store.
struct TracingFixture {
  let scratch: Scratch
  let repo: String
  var environment: [String: String]
  /// The tracking server the repository uses instead of `mlflow.db`, if any.
  let server: MLflowServer?
  /// Where the repository's versions and traces go, as Python MLflow is pointed at them.
  let trackingURI: String

  var databasePath: String { repo + "/mlflow.db" }

  /// A repository with `mlflow.db` at its top.
  init() async throws { try await self.init(scratch: Scratch(), server: nil) }

  /// A repository whose `MLFLOW_TRACKING_URI` is a real `mlflow server` on a fresh SQLite
  /// database in the scratch folder (no `mlflow.db` in the repository).
  static func onServer() async throws -> TracingFixture {
    let scratch = try Scratch()
    do {
      let server = try await MLflowServer.started(freshSQLiteIn: scratch.root + "/server")
      return try await TracingFixture(scratch: scratch, server: server)
    } catch {
      scratch.remove()
      throw error
    }
  }

  private init(scratch: Scratch, server: MLflowServer?) async throws {
    self.scratch = scratch
    self.server = server
    repo = try scratch.repository()
    try scratch.git(["-C", repo, "remote", "add", "origin", "https://git.example.com/acme/app.git"])
    environment = scratch.environment
    environment["MLFLOW_GIT_QUIET"] = "1"
    if let server {
      trackingURI = server.url
      environment["MLFLOW_TRACKING_URI"] = server.url
    } else {
      try await MLflowDatabaseTemplate.copy(to: repo + "/mlflow.db")
      trackingURI = "sqlite:///" + repo + "/mlflow.db"
    }
  }

  /// Stops the server, if any, and removes the scratch folder; blocks while the server shuts
  /// down (a second or so), so this one is for a `defer`. Removing twice does nothing more.
  func remove() {
    server?.stop()
    scratch.remove()
  }

  /// The same, with the server stopped on a thread of its own: `await` it at the end of a test.
  func remove() async {
    await server?.stop()
    scratch.remove()
  }

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

  /// Runs Python code with MLflow pointed at the repository's store; returns the JSON it prints
  /// last (``ReferenceMLflow/runJSON(_:environment:)``).
  func python(_ code: String) async throws -> Any {
    var environment = self.environment
    environment["MLFLOW_TRACKING_URI"] = trackingURI
    return try await ReferenceMLflow.runJSON("import json, mlflow\n" + code, environment: environment)
  }
}
