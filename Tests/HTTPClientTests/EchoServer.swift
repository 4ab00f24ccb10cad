import Foundation
import TestSupport

/// `Server/echo_server.py` (Python's http.server) on 127.0.0.1, its port file and log in a temporary
/// folder removed with it; stopped by ``stop()``.
final class EchoServer: Sendable {
  /// `http://127.0.0.1:<port>`.
  let url: String
  private let process: BackgroundProcess
  private let directory: TemporaryDirectory

  static let script = ReferenceMLflow.packageRoot + "/Tests/HTTPClientTests/Server/echo_server.py"

  init() async throws {
    directory = try TemporaryDirectory("http-echo")
    let portFile = directory.appending("port")
    process = try BackgroundProcess(
      try await ReferenceMLflow.pythonPath(), [Self.script, portFile], in: directory.path,
      environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"], logPath: directory.appending("log"))
    url = "http://127.0.0.1:\(try await process.port(writtenTo: portFile, label: "the echo server"))"
  }

  /// Stops the server (SIGTERM; Python exits at once).
  func stop() { process.stop() }
}

/// What the echo server saw of one request.
struct Echo: Decodable, Equatable {
  var method: String
  var path: String
  var headers: [String: String]
  var body: String
  var clientPort: Int
}

/// A socket on 127.0.0.1 that listens but never accepts: the kernel completes connections to
/// it and takes what is sent, and no answer ever comes. Closed by ``close()``.
final class SilentServer: Sendable {
  let url: String
  private let descriptor: Int32

  init() throws {
    let (descriptor, port) = try loopbackListener(for: "the silent server")
    self.descriptor = descriptor
    url = "http://127.0.0.1:\(port)"
  }

  func close() { _ = Foundation.close(descriptor) }
}
