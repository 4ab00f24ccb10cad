import Foundation
import MLflowStore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `mlflow server` (Python MLflow 3.17.2) on 127.0.0.1 with one worker, started once per
/// test process for each backend and stopped when the process exits.
final class MLflowServer: Sendable {
  let url: String
  let directory: String
  let logPath: String
  let pid: pid_t

  /// The server on a fresh copy of the template SQLite database.
  static let sqlite = Task { () throws -> MLflowServer in
    let directory = try TemporaryDirectory("mlflow-server")
    let database = try await TemplateDatabase.copy(into: directory)
    return try await MLflowServer(
      backendURI: TrackingURI.sqlite(path: database).description, directory: directory.keep())
  }

  /// The server on a fresh PostgreSQL database of a private cluster (MLflow creates the schema).
  static let postgres = Task { () throws -> MLflowServer in
    let cluster = try await PostgresCluster.shared.value
    let directory = try TemporaryDirectory("mlflow-server-pg")
    return try await MLflowServer(backendURI: try cluster.createDatabase("mlflow"), directory: directory.keep())
  }

  /// The server with MLflow's basic-auth app, whose admin has `adminPassword`.
  static let basicAuth = Task { () throws -> MLflowServer in
    let directory = try TemporaryDirectory("mlflow-server-auth")
    let database = try await TemplateDatabase.copy(into: directory)
    let path = directory.keep()
    let config = path + "/basic_auth.ini"
    try """
      [mlflow]
      default_permission = READ
      database_uri = sqlite:///\(path)/basic_auth.db
      admin_username = admin
      authorization_function = mlflow.server.auth:authenticate_request_basic_auth
      """.write(toFile: config, atomically: true, encoding: .utf8)
    return try await MLflowServer(
      backendURI: TrackingURI.sqlite(path: database).description, directory: path, arguments: ["--app-name", "basic-auth"],
      environment: [
        "MLFLOW_AUTH_CONFIG_PATH": config, "MLFLOW_AUTH_ADMIN_PASSWORD": adminPassword,
        "MLFLOW_FLASK_SERVER_SECRET_KEY": "mlflow-git-tests",
      ])
  }

  /// The basic-auth server's admin password (MLflow wants at least 12 characters).
  static let adminPassword = "s3cret-Pa55word-\(getpid())"

  private init(
    backendURI: String, directory: String, arguments: [String] = [], environment extra: [String: String] = [:]
  ) async throws {
    let port = try BackgroundProcess.freePort()
    self.directory = directory
    url = "http://127.0.0.1:\(port)"
    logPath = directory + "/server.log"
    var environment = PythonMLflow.environment()
    environment["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    environment.merge(extra) { $1 }
    let quoted = ([PythonMLflow.mlflowExecutable, "server"] + arguments + [
      "--backend-store-uri", backendURI, "--host", "127.0.0.1", "--port", String(port), "--workers", "1",
    ]).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    let process = try BackgroundProcess(shellCommand: quoted, in: directory, environment: environment, logPath: logPath)
    pid = process.pid
    ProcessGroups.register(pid)
    process.detach()
    try await waitUntilHealthy()
  }

  /// The server's output, for failure messages.
  var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  private func waitUntilHealthy() async throws {
    let deadline = ContinuousClock.now + .seconds(180)
    let health = URL(string: url + "/health")!
    while ContinuousClock.now < deadline {
      if let (_, response) = try? await URLSession.shared.data(from: health),
        (response as? HTTPURLResponse)?.statusCode == 200
      {
        return
      }
      var status: Int32 = 0
      guard waitpid(pid, &status, WNOHANG) == 0 else { throw TestFailure("mlflow server exited: \(log.suffix(3000))") }
      try await Task.sleep(for: .milliseconds(250))
    }
    throw TestFailure("mlflow server did not answer /health within 180 s: \(log.suffix(3000))")
  }
}
