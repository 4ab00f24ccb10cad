package import Foundation
import HTTPClient
import Synchronization

/// A real `mlflow server` (Python MLflow 3.17.2) on 127.0.0.1 with one worker, in its own process
/// group, logging to `directory/server.log`. Its port is fixed when it is made, so a test can use
/// the URL while nothing listens there ("server down"), ``start()`` it later, ``stop()`` it and
/// start it again on the same port. Stopped at the latest when the test process exits.
///
/// ```swift
/// let server = try await MLflowServer.started(freshSQLiteIn: directory)   // mlflow.db from the template
/// let store = try RESTTrackingStore(serverURL: server.url)
/// ```
package final class MLflowServer: Sendable {
  package let port: Int
  /// `http://127.0.0.1:<port>`.
  package let url: String
  /// Where it runs and logs.
  package let directory: String
  package let logPath: String
  private let arguments: [String]
  private let environment: [String: String]
  private let process = Mutex<BackgroundProcess?>(nil)

  /// A server on `backendURI`, not started yet.
  /// - Parameters:
  ///   - port: the port to listen on; a free one when `nil`.
  ///   - arguments: more `mlflow server` options, e.g. `["--app-name", "basic-auth"]`.
  ///   - environment: the server's environment (``ReferenceMLflow/environment(trackingURI:)`` by
  ///     default) with `extraEnvironment` on top.
  ///   - workers: its worker processes (`mlflow server` itself defaults to 4).
  package init(
    backendURI: String, directory: String, port: Int? = nil, arguments: [String] = [],
    environment: [String: String] = ReferenceMLflow.environment(), extraEnvironment: [String: String] = [:],
    workers: Int = 1
  ) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    self.port = try port ?? freePort()
    url = "http://127.0.0.1:\(self.port)"
    self.directory = directory
    logPath = directory + "/server.log"
    self.arguments =
      ["server"] + arguments + [
        "--backend-store-uri", backendURI, "--host", "127.0.0.1", "--port", String(self.port), "--workers", String(workers),
      ]
    var environment = environment
    environment["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    self.environment = environment.merging(extraEnvironment) { $1 }
  }

  /// A server on a fresh copy of the template database, `directory/mlflow.db`; not started yet.
  package convenience init(
    freshSQLiteIn directory: String, port: Int? = nil, arguments: [String] = [],
    environment: [String: String] = ReferenceMLflow.environment(), extraEnvironment: [String: String] = [:]
  ) async throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try await MLflowDatabaseTemplate.copy(to: directory + "/mlflow.db")
    try self.init(
      backendURI: "sqlite:///" + directory + "/mlflow.db", directory: directory, port: port, arguments: arguments,
      environment: environment, extraEnvironment: extraEnvironment)
  }

  /// A server on `backendURI`, started and answering.
  package static func started(
    backendURI: String, directory: String, arguments: [String] = [], extraEnvironment: [String: String] = [:],
    workers: Int = 1
  ) async throws -> MLflowServer {
    let server = try MLflowServer(
      backendURI: backendURI, directory: directory, arguments: arguments, extraEnvironment: extraEnvironment,
      workers: workers)
    try await server.start()
    return server
  }

  /// A server on a fresh copy of the template database in `directory`, started and answering.
  package static func started(
    freshSQLiteIn directory: String, arguments: [String] = [], extraEnvironment: [String: String] = [:]
  ) async throws -> MLflowServer {
    let server = try await MLflowServer(freshSQLiteIn: directory, arguments: arguments, extraEnvironment: extraEnvironment)
    try await server.start()
    return server
  }

  /// A server with MLflow's basic-auth app on a fresh copy of the template database in
  /// `directory`, started and answering; its user `admin` has `adminPassword` (MLflow wants at
  /// least 12 characters), and other users may read only.
  package static func startedWithBasicAuth(in directory: String, adminPassword: String) async throws -> MLflowServer {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let config = directory + "/basic_auth.ini"
    try """
      [mlflow]
      default_permission = READ
      database_uri = sqlite:///\(directory)/basic_auth.db
      admin_username = admin
      authorization_function = mlflow.server.auth:authenticate_request_basic_auth
      """.write(toFile: config, atomically: false, encoding: .utf8)
    return try await started(
      freshSQLiteIn: directory, arguments: ["--app-name", "basic-auth"],
      extraEnvironment: [
        "MLFLOW_AUTH_CONFIG_PATH": config, "MLFLOW_AUTH_ADMIN_PASSWORD": adminPassword,
        "MLFLOW_FLASK_SERVER_SECRET_KEY": "mlflow-git-tests",
      ])
  }

  /// Starts the server and waits (up to 180 s) until `/health` answers 200.
  package func start() async throws {
    let started = try BackgroundProcess(
      try await ReferenceMLflow.mlflowExecutable(), arguments, in: directory, environment: environment,
      logPath: logPath)
    let previous = process.withLock { process in
      defer { process = started }
      return process
    }
    await previous?.stop()
    let deadline = ContinuousClock.now + .seconds(180)
    while ContinuousClock.now < deadline {
      if case .success(let response) = await HTTPTransport.shared.send(
        HTTPRequest(method: "GET", url: url + "/health", timeout: .seconds(5))), response.status == 200
      {
        return
      }
      guard started.isRunning else { throw TestFailure("mlflow server exited: \(log.suffix(3000))") }
      try await Task.sleep(for: .milliseconds(250))
    }
    throw TestFailure("mlflow server did not answer /health within 180 s: \(log.suffix(3000))")
  }

  /// Stops the server's whole process group (SIGTERM, then SIGKILL after 3 s), blocking the
  /// calling thread until it is gone: for a `defer`. Async code should `await stop()`
  /// instead.
  package func stop() { process.withLock { $0 }?.stop() }

  /// Stops the server's whole process group, waiting on a thread of its own.
  package func stop() async { await process.withLock { $0 }?.stop() }

  /// The processes of its process group (the `mlflow` command and the workers it started).
  package func processGroupMembers() -> [pid_t] { process.withLock { $0 }?.groupMembers() ?? [] }

  /// The server's output, for failure messages.
  package var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  /// Sends `method path` (a JSON `body` for POST) and returns the answer's status and body.
  package func request(_ path: String, method: String = "GET", body: [String: Any]? = nil) async throws -> (
    status: Int, body: [UInt8]
  ) {
    var request = HTTPRequest(method: method, url: url + path, timeout: .seconds(60))
    if let body {
      request.body = Array(try JSONSerialization.data(withJSONObject: body))
      request.headers = [("Content-Type", "application/json")]
    }
    switch await HTTPTransport.shared.send(request) {
    case .success(let response): return (response.status, response.body)
    case .failure(let failure): throw TestFailure("\(method) \(path) failed: \(failure)")
    }
  }

  /// Calls the REST endpoint `path` (a JSON `body` for POST) and decodes the JSON object it
  /// answers with status 200.
  package func call(_ path: String, method: String = "GET", body: [String: Any]? = nil) async throws -> [String: Any] {
    let answer = try await request(path, method: method, body: body)
    guard answer.status == 200, let json = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
    else {
      let text = String(decoding: answer.body.prefix(500), as: UTF8.self)
      throw TestFailure("\(method) \(path) answered \(answer.status): \(text)")
    }
    return json
  }
}
