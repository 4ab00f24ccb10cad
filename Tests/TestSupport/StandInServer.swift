import Foundation

/// The stand-in chat-completions API (`Tests/SupportAgentTests/StandIn/chat_completions_server.py`)
/// on 127.0.0.1, one per test, stopped by ``stop()``.
package final class StandInServer: Sendable {
  /// How it answers authorized requests; see the script.
  package enum Mode: String, Sendable, CustomStringConvertible {
    case ok, serverError = "server-error", rateLimit = "rate-limit", notJSON = "not-json", slow
    package var description: String { rawValue }
  }

  /// The key it accepts.
  package let key: String
  /// `OPENAI_BASE_URL` for it: `http://127.0.0.1:<port>/v1`.
  package let baseURL: String
  private let process: BackgroundProcess
  private let requestLog: String

  package static let script = ReferenceMLflow.packageRoot + "/Tests/SupportAgentTests/StandIn/chat_completions_server.py"

  package init(in directory: String, key: String, mode: Mode = .ok, delaySeconds: Double = 5) async throws {
    self.key = key
    let portFile = directory + "/stand-in-\(mode).port"
    requestLog = directory + "/stand-in-\(mode).requests"
    process = try BackgroundProcess(
      try await ReferenceMLflow.pythonPath(),
      [
        Self.script, "--port-file", portFile, "--key", key, "--mode", mode.rawValue, "--delay", String(delaySeconds),
        "--log", requestLog,
      ], in: directory, environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"],
      logPath: directory + "/stand-in-\(mode).log")
    baseURL = "http://127.0.0.1:\(try await process.port(writtenTo: portFile, label: "the stand-in chat server"))/v1"
  }

  /// The requests it received: path, whether the key was right, and the JSON body.
  package func requests() throws -> [[String: Any]] {
    let text = (try? String(contentsOfFile: requestLog, encoding: .utf8)) ?? ""
    return try text.split(separator: "\n").map { line in
      try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
    }
  }

  package func stop() { process.stop() }
}
