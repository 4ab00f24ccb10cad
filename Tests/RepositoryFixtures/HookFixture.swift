package import ChildProcess
package import Foundation
package import MLflowStore
package import TestSupport

/// A real repository with mlflow-git's hooks installed by the built `mlflow-git`, and MLflow's
/// database created by the real `mlflow db upgrade` on first use.
package struct HookFixture {
  package let scratch: Scratch
  package let repo: String
  package var environment: [String: String]

  package var databasePath: String { repo + "/mlflow.db" }
  package var stateDirectory: String { repo + "/.git/mlflow-git" }

  /// - Parameter mlflowAvailable: `false` leaves `mlflow` unreachable, as on a fresh machine.
  package init(mlflowAvailable: Bool = true, remote: String? = "https://git.example.com/acme/app.git") async throws {
    scratch = try Scratch()
    repo = try scratch.repository(files: ["app.py": "v1\n"])
    if let remote { try scratch.git(["-C", repo, "remote", "add", "origin", remote]) }
    environment = scratch.environment
    environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] =
      mlflowAvailable ? try await ReferenceMLflow.mlflowExecutable() : scratch.root + "/no-mlflow-here"
  }

  package func remove() { scratch.remove() }

  /// Runs `git arguments` in the repository; returns standard output and standard error. Waits
  /// on a thread of its own: a commit, checkout or merge runs the hooks, and so `mlflow-git`.
  @discardableResult
  package func git(_ arguments: String...) async throws -> (output: String, error: String) {
    let result = try await ChildProcess.runAsync("git", arguments: ["-C", repo] + arguments, environment: environment)
    guard result.succeeded else {
      throw TestFailure("git \(arguments.joined(separator: " ")) failed: \(result.standardErrorText)")
    }
    return (result.standardOutputText, result.standardErrorText)
  }

  package func head() async throws -> String {
    try await git("rev-parse", "HEAD").output.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Runs the built `mlflow-git` in the repository (`ChildProcess.runLimited`: no thread blocks).
  @discardableResult
  package func cli(_ arguments: String..., environment extra: [String: String] = [:]) async throws -> ChildProcess.Output {
    try await run(HookFixture.cliPath, arguments, environment: extra)
  }

  /// Runs `executable` with `arguments` in `directory` (the repository by default), with the
  /// fixture's environment and `extra` on top (`ChildProcess.runLimited`: no thread blocks).
  package func run(
    _ executable: String, _ arguments: [String], in directory: String? = nil, environment extra: [String: String] = [:]
  ) async throws -> ChildProcess.Output {
    try await ChildProcess.runLimited(
      "sh", arguments: ["-c", "cd \"$1\" && shift && exec \"$@\"", "mlflow-git", directory ?? repo, executable] + arguments,
      environment: environment.merging(extra) { $1 })
  }

  /// Waits for background deliveries, then delivers what is left.
  package func sync() async throws {
    let output = try await cli("sync")
    guard output.succeeded else { throw TestFailure("mlflow-git sync failed: \(output.standardErrorText)") }
  }

  package func store() throws -> SQLiteTrackingStore {
    try SQLiteTrackingStore(databasePath: databasePath, options: .init(createIfMissing: false))
  }

  /// Every active model in the default experiment.
  package func models() async throws -> [LoggedModel] {
    try await store().searchLoggedModels(LoggedModelSearch(experimentIDs: ["0"], maxResults: 5000)).models
  }

  /// The models for (branch, commit) clean versions.
  package func models(branch: String, commit: String) async throws -> [LoggedModel] {
    try await models().filter {
      $0.tags["mlflow.source.git.branch"] == branch && $0.tags["mlflow.source.git.commit"] == commit
        && $0.tags["mlflow.source.git.dirty"] == "false"
    }
  }

  /// The built `mlflow-git` executable.
  package static var cliPath: String { BuiltProducts.executable(named: "mlflow-git") }

  /// A snapshot of every file install may touch, to prove uninstall restores them: `.git/config`,
  /// `.git/hooks`, `.git/info`, the work tree (but the local MLflow store), and `extra` folders
  /// (a global hooks folder), each file's bytes and mode.
  package func installFootprint(extra: [String] = []) throws -> [String: Data] {
    var files: [String: Data] = [:]
    func add(_ path: String) throws {
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return }
      if isFolder.boolValue {
        for name in try FileManager.default.contentsOfDirectory(atPath: path) {
          if path == repo && [".git", "mlflow.db", "mlflow.db-journal", "mlflow.db.lock", "mlruns"].contains(name) { continue }
          try add(path + "/" + name)
        }
        return
      }
      let attributes = try FileManager.default.attributesOfItem(atPath: path)
      files[path] = FileManager.default.contents(atPath: path) ?? Data()
      files[path + " mode"] = Data("\(attributes[.posixPermissions] ?? 0)".utf8)
    }
    for root in [repo + "/.git/hooks", repo + "/.git/info", repo + "/.git/config", repo] + extra { try add(root) }
    return files
  }

  /// The paths whose content differs between two footprints, for a readable failure.
  package static func differences(_ before: [String: Data], _ after: [String: Data]) -> [String] {
    Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
  }

  /// Starts `mlflow-git arguments…` in the repository, kills it with SIGKILL as soon as the
  /// shell test `running` (checked every 10 ms, for at most 30 s) fails, and returns its exit
  /// status (137 when it was killed) and the number the shell command `count` prints then.
  package func killMidRun(_ arguments: String, while running: String, count: String) async throws -> (status: Int?, count: Int?) {
    let killed = try await ChildProcess.runLimited(
      "sh",
      arguments: [
        "-c",
        """
        cd "$1" || exit 1
        # The worker runs niced, so on a busy machine this loop still sees it mid-run.
        nice -n 19 "$2" \(arguments) >/dev/null 2>&1 & pid=$!
        tries=0
        while \(running) && [ $tries -lt 3000 ]; do
          sleep 0.01; tries=$((tries + 1))
        done
        kill -9 $pid; wait $pid; echo "$? $(\(count))"
        """,
        "kill", repo, HookFixture.cliPath,
      ], environment: environment)
    let fields = killed.standardOutputText.split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    return (fields.first ?? nil, fields.last ?? nil)
  }
}
