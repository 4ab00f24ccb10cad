import ChildProcess
import Foundation
import TestSupport

/// One repository with mlflow-git installed and four worktrees, each used from a shell of its
/// own: its branch, and where its versions go. Two shells point at an `mlflow server` on
/// PostgreSQL, each in an experiment of its own; two at one `mlflow.db`, one of them in the
/// default experiment. No shell has an `mlflow` to create a missing `mlflow.db` with, so a
/// database moved away stays absent until it is back.
struct ChaosRepository: Sendable {
  enum Store: String, Sendable {
    case server = "mlflow server (PostgreSQL)"
    case database = "mlflow.db"
  }

  struct Worktree: Sendable {
    let branch: String
    let path: String
    let environment: [String: String]
    let store: Store
    /// The experiment's name, as MLflow shows it.
    let experiment: String
  }

  let scratch: Scratch
  let server: MLflowServer
  /// The server's PostgreSQL database.
  let database: String
  let databasePath: String
  let worktrees: [Worktree]

  var commonDirectory: String { worktrees[0].path + "/.git" }
  var stateDirectory: String { commonDirectory + "/mlflow-git" }

  /// The tracking URI of `store`.
  func trackingURI(_ store: Store) -> String {
    switch store {
    case .server: server.url
    case .database: "sqlite:///" + databasePath
    }
  }

  static func make() async throws -> ChaosRepository {
    let scratch = try Scratch()
    let database = "chaos_\(UInt32.random(in: .min ... .max))"
    let server: MLflowServer
    do {
      let cluster = try await PostgresCluster.shared.value
      server = try MLflowServer(backendURI: try await cluster.createDatabase(database), directory: scratch.root + "/server")
    } catch {
      scratch.remove()
      throw error
    }
    do {
      return try await make(in: scratch, server: server, database: database)
    } catch {
      await ChaosRepository(scratch: scratch, server: server, database: database, databasePath: "", worktrees: []).remove()
      throw error
    }
  }

  private static func make(in scratch: Scratch, server: MLflowServer, database: String) async throws -> ChaosRepository {
    try await server.start()
    let databasePath = scratch.root + "/stores/mlflow.db"
    try FileManager.default.createDirectory(atPath: scratch.root + "/stores", withIntermediateDirectories: true)
    try await MLflowDatabaseTemplate.copy(to: databasePath)

    let main = try scratch.repository("chaos", files: ["app.py": "def app():\n    return 1\n"])
    for setting in [["remote", "add", "origin", "https://git.example.com/acme/chaos.git"], ["config", "gc.auto", "0"],
      ["config", "maintenance.auto", "false"]]
    {
      try scratch.git(["-C", main] + setting)
    }
    func shell(_ store: Store, experiment: String?) -> [String: String] {
      var environment = scratch.environment
      environment["MLFLOW_TRACKING_URI"] = store == .server ? server.url : "sqlite:///" + databasePath
      environment["MLFLOW_EXPERIMENT_NAME"] = experiment
      environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] = scratch.root + "/no-mlflow-here"
      environment["MLFLOW_GIT_QUIET"] = "1"
      return environment
    }
    let layout: [(branch: String, store: Store, experiment: String?)] = [
      ("main", .server, "chaos main"), ("feature-1", .server, "chaos feature-1"),
      ("feature-2", .database, "chaos feature-2"), ("feature-3", .database, nil),
    ]
    var worktrees: [Worktree] = []
    for (index, (branch, store, experiment)) in layout.enumerated() {
      let environment = shell(store, experiment: experiment)
      let path = index == 0 ? main : scratch.root + "/worktree-\(index)"
      if index == 0 {
        let install = try await ChildProcess.runLimited(
          "sh", arguments: ["-c", "cd \"$1\" && exec \"$2\" install", "install", main, BuiltProducts.executable(named: "mlflow-git")],
          environment: environment)
        guard install.succeeded else { throw TestFailure("install failed: \(install.standardErrorText)") }
      } else {
        let added = try await ChildProcess.runLimited(
          "git", arguments: ["-C", main, "worktree", "add", "-q", "-b", branch, path, "main"], environment: environment)
        guard added.succeeded else { throw TestFailure("worktree add failed: \(added.standardErrorText)") }
      }
      worktrees.append(
        Worktree(branch: branch, path: path, environment: environment, store: store, experiment: experiment ?? "Default"))
    }
    return ChaosRepository(
      scratch: scratch, server: server, database: database, databasePath: databasePath, worktrees: worktrees)
  }

  /// Removes everything the chaos made: background workers still running (after a failure),
  /// the server and its database, the worktrees and stores.
  func remove() async {
    for worktree in worktrees {
      for worker in BackgroundWorkers.running(in: worktree.path) { kill(worker, SIGKILL) }
    }
    await server.stop()
    try? await PostgresCluster.shared.value.dropDatabase(database)
    // A killed worker is gone once it is reaped, which its detached parent does at once.
    for worktree in worktrees { try? await BackgroundWorkers.waitUntilNoneRuns(in: worktree.path, limit: .seconds(10)) }
    scratch.remove()
  }

  /// Runs `git arguments…` in `worktree` with its shell's environment (its hooks run too).
  func git(_ worktree: Worktree, _ arguments: [String]) async throws -> ChildProcess.Output {
    try await ChildProcess.runAsync("git", arguments: ["-C", worktree.path] + arguments, environment: worktree.environment)
  }

  /// Runs the built `mlflow-git arguments…` in `worktree` with its shell's environment.
  func cli(_ worktree: Worktree, _ arguments: [String]) async throws -> ChildProcess.Output {
    try await ChildProcess.runLimited(
      "sh",
      arguments: ["-c", "cd \"$1\" && shift && exec \"$@\"", "cli", worktree.path, BuiltProducts.executable(named: "mlflow-git")]
        + arguments,
      environment: worktree.environment)
  }

  /// Every commit the reflog of `branch` holds, oldest first.
  func reflog(_ branch: String) throws -> [String] {
    try scratch.git(["-C", worktrees[0].path, "reflog", "show", "--format=%H", "refs/heads/" + branch])
      .split(separator: "\n").map(String.init).reversed()
  }
}
