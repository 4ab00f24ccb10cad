import Foundation
import OpenAIChat
import Testing

@Suite("OpenAIChat's doc examples talk to an OpenAI-compatible server (the traced one runs in DocExampleRunTests)")
struct ChatDocExampleTests {
  @Test("the examples get the stand-in's answers and token counts, and its 401 as a ChatError")
  func chatExamples() async throws {
    let server = try await ChatStandIn(key: "sk-doc-\(UUID().uuidString)")
    defer { server.stop() }
    let environment = ["OPENAI_BASE_URL": server.baseURL, "OPENAI_API_KEY": server.key]
    let client = try clientFromEnvironmentExample(environment: environment)
    #expect(client.baseURL.absoluteString == server.baseURL && client.model == ChatClient.defaultModel)

    // The stand-in's answer names the last user message; it counts tokens in words.
    #expect(
      try await chatClientExample(environment: environment)
        == "Stand-in answer: to 'How do I reset my password?', go to Settings and follow the steps.")
    #expect(try await completionExample(client: client) == "Stand-in answer: to 'Hi', go to Settings and follow the steps. 12")
    let wrongKey = try ChatClient(environment: ["OPENAI_BASE_URL": server.baseURL, "OPENAI_API_KEY": "sk-wrong"])
    let refused = try await chatErrorExample(client: wrongKey)
    #expect(refused.hasPrefix("error: ") && refused.contains("401") && !refused.contains("sk-wrong"), "\(refused)")
    #expect(
      try await chatErrorExample(client: client)
        == "Stand-in answer: to 'How do I reset my password?', go to Settings and follow the steps.",
      "the right key: the answer, no error")
  }
}

/// Tests/SupportAgentTests/StandIn/chat_completions_server.py, run by the Python of
/// `MLFLOW_GIT_PYTHON` on a free port of 127.0.0.1. AppTests links only the products, so it
/// spawns the server itself, with `posix_spawn` and its own `waitpid`: a long-running child of
/// Foundation's `Process` made other suites' ChildProcess waits hang.
struct ChatStandIn {
  let key: String
  let baseURL: String
  private let pid: pid_t
  private let folder: String

  init(key: String) async throws {
    self.key = key
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
    folder = FileManager.default.temporaryDirectory.path + "/mlflow-git-chat-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let python = try #require(ProcessInfo.processInfo.environment["MLFLOW_GIT_PYTHON"], "MLFLOW_GIT_PYTHON names Python")
    // The server closes the descriptors it inherited first: this spawn is not under ChildProcess's
    // spawn lock, so it may catch a pipe another test's child is being given.
    let arguments = [
      python, "-c",
      "import os, runpy, sys; os.closerange(3, 1 << 16); sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
      packageRoot + "/Tests/SupportAgentTests/StandIn/chat_completions_server.py", "--port-file", folder + "/port",
      "--key", key,
    ]
    let owned = arguments.map { strdup($0) }
    defer { owned.forEach { free($0) } }
    var argv = owned + [nil]
    var envp: [UnsafeMutablePointer<CChar>?] = [nil]
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor: Int32 in [0, 1, 2] {
      posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
    }
    var child = pid_t()
    guard posix_spawn(&child, python, &actions, nil, &argv, &envp) == 0 else {
      try? FileManager.default.removeItem(atPath: folder)
      throw ScratchRepository.SetupFailure(description: "could not start \(python)")
    }
    pid = child
    var port: String?
    for _ in 0..<200 where port == nil {
      port = (try? String(contentsOfFile: folder + "/port", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
      if port?.isEmpty ?? true { port = nil; try await Task.sleep(for: .milliseconds(50)) }
    }
    guard let port else {
      kill(child, SIGKILL)
      waitpid(child, nil, 0)
      try? FileManager.default.removeItem(atPath: folder)
      throw ScratchRepository.SetupFailure(description: "the chat-completions stand-in wrote no port within 10 s")
    }
    baseURL = "http://127.0.0.1:\(port)/v1"
  }

  func stop() {
    kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    try? FileManager.default.removeItem(atPath: folder)
  }
}
