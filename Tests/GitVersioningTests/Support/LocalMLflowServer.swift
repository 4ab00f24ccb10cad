import ChildProcess
import Foundation
import TestSupport

/// A real `mlflow server` (Python MLflow 3.17.2) on 127.0.0.1, started by a test on a port
/// chosen beforehand — so the test can first use the URL while nothing listens there ("server
/// down") — and stopped with its whole process group.
struct LocalMLflowServer {
  let url: String
  let port: Int
  /// The process group leader.
  private(set) var pid: pid_t = 0
  let directory: String

  /// Picks a port nothing listens on; the server is not started yet.
  init(directory: String) throws {
    port = try Self.freePort()
    url = "http://127.0.0.1:\(port)"
    self.directory = directory
  }

  /// Starts the server on a fresh database in `directory` and waits until it answers.
  mutating func start(environment: [String: String]) async throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let database = directory + "/server.db"
    try MLflowDatabaseTemplate.copy(to: database)
    var environment = environment
    environment["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    let output = try ChildProcess.run(
      "sh",
      arguments: [
        "-c", "cd \"$1\" && setsid \"$2\" server --backend-store-uri \"sqlite:///$3\" --host 127.0.0.1 --port \"$4\" "
          + "--workers 1 </dev/null >server.log 2>&1 & echo $!",
        "server", directory, try ReferenceMLflow.mlflowExecutable(), database, String(port),
      ], environment: environment)
    guard let leader = pid_t(output.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
      throw TestFailure("could not start mlflow server: \(output.standardErrorText)")
    }
    pid = leader
    let deadline = ContinuousClock.now + .seconds(180)
    while ContinuousClock.now < deadline {
      let health = try ChildProcess.run("curl", arguments: ["-sf", "-o", "/dev/null", url + "/health"])
      if health.succeeded { return }
      guard kill(pid, 0) == 0 else { throw TestFailure("mlflow server exited: \(log.suffix(3000))") }
      try await Task.sleep(for: .milliseconds(250))
    }
    throw TestFailure("mlflow server did not answer /health within 180 s: \(log.suffix(3000))")
  }

  /// The server's output, for failure messages.
  var log: String { (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? "" }

  /// Stops the server's process group: SIGTERM, then SIGKILL after 3 s.
  func stop() {
    guard pid > 0 else { return }
    kill(-pid, SIGTERM)
    for _ in 0..<30 where kill(-pid, 0) == 0 { usleep(100_000) }
    kill(-pid, SIGKILL)
  }

  /// A TCP port on 127.0.0.1 that nothing listens on right now.
  static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
        bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
      }
    }
    guard bound else { throw TestFailure("cannot bind a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}
