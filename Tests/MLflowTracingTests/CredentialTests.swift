import ChildProcess
import Foundation
import GitVersioning
import MLflowStore
import Testing
import TestSupport

@testable import MLflowTracing

@Suite("Tracking-server credentials stay out of every output and local file")
struct CredentialTests {
  @Test("user:password@ in MLFLOW_TRACKING_URI and a token: no command, worker, record or journaled trace shows either")
  func secretsNowhere() async throws {
    let fixture = try await TracingFixture.onServer()
    let server = try #require(fixture.server)
    let password = "pw-" + UUID().uuidString.prefix(8)
    let token = "tok-" + UUID().uuidString.prefix(8)
    var environment = fixture.environment
    environment["MLFLOW_TRACKING_URI"] = server.url.replacing("http://", with: "http://alice:\(password)@")
    environment["MLFLOW_TRACKING_TOKEN"] = token
    environment["MLFLOW_GIT_QUIET"] = nil
    var outputs: [(String, ChildProcess.Output)] = []
    func run(_ arguments: String...) async throws {
      outputs.append((arguments.joined(separator: " "), try await runCLI(arguments, in: fixture.repo, environment: environment)))
    }
    func git(_ arguments: String...) async throws {
      let output = try await ChildProcess.runLimited("git", arguments: ["-C", fixture.repo] + arguments, environment: environment)
      outputs.append(("git " + arguments.joined(separator: " "), output))
    }

    try await run("install")
    try await git("commit", "-q", "--allow-empty", "-m", "with the server up")  // the hooks' background worker
    for command in [["status"], ["status", "--json"], ["sync"], ["sync", "--json"], ["versions"], ["versions", "--json"],
      ["show"], ["show", "--json"], ["traces"], ["traces", "--json"], ["doctor"], ["doctor", "--json"],
      ["exec", "--", "sh", "-c", "echo \"$MLFLOW_ACTIVE_MODEL_ID\""], ["sync", "--background"]]
    {
      outputs.append((command.joined(separator: " "), try await runCLI(command, in: fixture.repo, environment: environment)))
    }

    // The server down: versions wait undelivered, the worker logs why, a trace is journaled.
    await server.stop()
    try await git("commit", "-q", "--allow-empty", "-m", "with the server down")
    try fixture.scratch.write("print('offline edit')\n", to: fixture.repo + "/app.py")
    for command in [["status"], ["status", "--json"], ["sync"], ["versions"], ["show"], ["doctor"], ["traces"]] {
      outputs.append((command.joined(separator: " "), try await runCLI(command, in: fixture.repo, environment: environment)))
    }
    var options = fixture.options
    options.environment = environment
    let traced = await withGitModelVersioning(options: options) { context in
      trace("offline call", inputs: "question") { _ in context.activeModel?.modelID }
    }
    #expect(traced != nil)
    _ = await flushTraces()
    try await server.start()
    try await run("sync")
    try await run("sync", "--json")

    var leaks: [String] = []
    for (name, output) in outputs {
      for (stream, bytes) in [("stdout", output.standardOutput), ("stderr", output.standardError)] {
        let text = String(decoding: bytes, as: UTF8.self)
        if text.contains(password) || text.contains(token) { leaks.append("\(name) \(stream): \(text.prefix(300))") }
      }
    }
    let gitDirectory = fixture.repo + "/.git"
    let stateHome = fixture.environment["HOME"]! + "/.local/state"
    var files = 0
    for root in [gitDirectory, stateHome] {
      for path in (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? [] {
        guard let data = FileManager.default.contents(atPath: root + "/" + path) else { continue }
        files += 1
        let text = String(decoding: data, as: UTF8.self)
        if text.contains(password) || text.contains(token) { leaks.append("\(root)/\(path)") }
      }
    }
    #expect(leaks.isEmpty, "the password or token appears in: \(leaks)")
    #expect(files > 20 && outputs.count > 25, "the check read the Git dir (\(files) files) and \(outputs.count) outputs")
    #expect(FileManager.default.fileExists(atPath: gitDirectory + "/mlflow-git/worker.log"), "the worker logged")
    #expect(
      outputs.contains { $0.0 == "status" && $0.1.standardOutputText.contains("store    " + server.url) },
      "status names the server, without its credentials")
    await fixture.remove()
  }
}
