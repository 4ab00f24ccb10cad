package import ChildProcess
import Foundation
package import GitVersioning
package import MLflowStore
package import TestSupport

/// A real repository with an MLflow database (MLflow's own schema) at its top, and the
/// environment that points mlflow-git and Python MLflow at them; or, as on a fresh machine,
/// with neither `mlflow.db` nor an `mlflow` executable.
package struct VersioningFixture {
  package let scratch: Scratch
  package let repo: String
  package var environment: [String: String]

  package var databasePath: String { repo + "/mlflow.db" }

  /// - Parameter freshMachine: `true` leaves out `mlflow.db` and points
  ///   `MLFLOW_GIT_MLFLOW_EXECUTABLE` at nothing, so no store can be created.
  package init(
    files: [String: String] = ["app.py": "def app():\n    return \"v1\"\n"],
    remote: String? = "https://git.example.com/acme/app.git", freshMachine: Bool = false
  ) async throws {
    scratch = try Scratch()
    repo = try scratch.repository(files: files)
    if let remote { try scratch.git(["-C", repo, "remote", "add", "origin", remote]) }
    environment = scratch.environment
    environment["MLFLOW_GIT_QUIET"] = "1"
    if freshMachine {
      environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] = scratch.root + "/no-mlflow-here"
    } else {
      try await MLflowDatabaseTemplate.copy(to: repo + "/mlflow.db")
      environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] = try await ReferenceMLflow.mlflowExecutable()
    }
  }

  package func remove() { scratch.remove() }

  package func options(_ policy: DirtyVersionPolicy = .perDiff, verification: GitVersioningOptions.IndexVerification = .never)
    -> GitVersioningOptions
  {
    GitVersioningOptions(
      directory: repo, environment: environment, dirtyVersions: policy, indexVerification: verification)
  }

  package func resolve(_ policy: DirtyVersionPolicy = .perDiff) async throws -> VersionResolution {
    try await VersionResolution.resolve(options: options(policy))
  }

  package func git(_ arguments: String...) throws { try scratch.git(["-C", repo] + arguments) }

  package func write(_ content: String, to file: String) throws { try scratch.write(content, to: repo + "/" + file) }

  package func store() throws -> SQLiteTrackingStore {
    try SQLiteTrackingStore(databasePath: databasePath, options: .init(createIfMissing: false))
  }

  /// Every active model in the default experiment, newest first.
  package func models() async throws -> [LoggedModel] {
    try await store().searchLoggedModels(LoggedModelSearch(experimentIDs: ["0"], maxResults: 1000)).models
  }

  /// Runs Python code in the repository with MLflow pointed at its database (or `trackingURI`);
  /// returns the JSON printed last (``ReferenceMLflow/runJSON(_:environment:)``).
  package func python(_ code: String, trackingURI: String? = nil) async throws -> Any {
    var environment = self.environment
    environment["MLFLOW_TRACKING_URI"] = trackingURI ?? "sqlite:///" + databasePath
    let script = "import os, json\nos.chdir(\(pythonLiteral(repo)))\n" + code
    return try await ReferenceMLflow.runJSON(script, environment: environment)
  }

  /// `count` clones of the repository, with its remote URL, and the environment that points
  /// them all at its `mlflow.db`: separate clones (separate locks and indexes) sharing a store.
  package func clonesSharingTheStore(_ count: Int) throws -> (clones: [String], environment: [String: String]) {
    var clones: [String] = []
    for index in 0..<count {
      let clone = scratch.root + "/clone\(index)"
      try scratch.git(["clone", "-q", repo, clone])
      try scratch.git(["-C", clone, "remote", "set-url", "origin", "https://git.example.com/acme/app.git"])
      clones.append(clone)
    }
    var environment = environment
    environment["MLFLOW_TRACKING_URI"] = "sqlite:///" + databasePath
    return (clones, environment)
  }

  /// The built `mlflow-git` executable.
  package static var cliPath: String { BuiltProducts.executable(named: "mlflow-git") }

  /// Runs `mlflow-git arguments…` in `directory`; returns its output and how long it took.
  package static func cli(_ arguments: [String], in directory: String, environment: [String: String]) async throws
    -> (output: ChildProcess.Output, elapsed: Duration)
  {
    try await ChildProcess.runLimitedTimed(
      "sh", arguments: ["-c", "cd \"$1\" && shift && exec \"$@\"", "cli", directory, cliPath] + arguments,
      environment: environment)
  }

  /// Starts `count` `mlflow-git status --json` processes at once, in `directories` in turn, and returns the
  /// model ID each reported.
  package static func race(_ count: Int, in directories: [String], environment: [String: String]) async throws -> [String] {
    let cli = cliPath
    return try await withThrowingTaskGroup(of: String.self) { group in
      for index in 0..<count {
        let directory = directories[index % directories.count]
        group.addTask {
          let output = try await ChildProcess.runAsync(
            "sh", arguments: ["-c", "cd \"$1\" && exec \"$2\" status --json", "race", directory, cli],
            environment: environment)
          guard output.succeeded else { throw TestFailure("mlflow-git status failed: \(output.standardErrorText)") }
          let json = try JSONSerialization.jsonObject(with: Data(output.standardOutput)) as? [String: Any]
          return json?["modelID"] as? String ?? "?"
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
  }
}
