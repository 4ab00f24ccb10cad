import ChildProcess
import Foundation
import Testing
import TestSupport

@Suite("The SupportAgent example answers through a chat-completions API, traced and linked to its Git version")
struct SupportAgentTests {
  static let question = "How do I share a folder with my team?"

  @Test("it answers and prints its version; Python MLflow finds the trace under that version: AGENT root, CHAT_MODEL child with messages and token usage")
  func answersAndLinksItsTrace() async throws {
    let fixture = try await AgentFixture()
    defer { fixture.remove() }
    let server = try await StandInServer(in: fixture.scratch.root, key: "sk-test-\(UUID().uuidString)")
    defer { server.stop() }

    let output = try await fixture.runAgent([Self.question], baseURL: server.baseURL, key: server.key)
    #expect(output.exitStatus == 0, "\(output.standardErrorText)")
    let lines = output.standardOutputText.split(separator: "\n").map(String.init)
    let answer = try #require(lines.first)
    #expect(answer.hasPrefix("Stand-in answer: to '\(Self.question)'"))
    let modelID = try #require(AgentFixture.modelID(in: output.standardOutputText), "\(output.standardOutputText)")
    #expect(lines.last == "version: main@\(try fixture.shortCommit()) (model \(modelID))")

    let requests = try server.requests()
    #expect(requests.count == 1)
    #expect(requests.first?["authorized"] as? Bool == true)
    let sent = try #require(requests.first?["body"] as? [String: Any])
    #expect(sent["model"] as? String == "gpt-4o-mini")
    #expect((sent["messages"] as? [[String: Any]])?.map { $0["role"] as? String } == ["system", "user"])

    let python = try #require(
      try await fixture.python(
        """
        traces = mlflow.search_traces(model_id=\(pythonLiteral(modelID)), return_type="list")
        trace = mlflow.get_trace(traces[0].info.trace_id)
        print(json.dumps({
          "count": len(traces),
          "state": str(trace.info.state),
          "usage": trace.info.token_usage,
          "name": trace.info.tags.get("mlflow.traceName"),
          "metadata": trace.info.trace_metadata,
          "spans": [{"name": s.name, "id": s.span_id, "parent": s.parent_id, "type": s.span_type,
                     "status": str(s.status.status_code), "inputs": s.inputs, "outputs": s.outputs,
                     "attributes": s.attributes} for s in trace.data.spans],
        }))
        """) as? [String: Any])
    #expect(python["count"] as? Int == 1)
    #expect((python["state"] as? String)?.hasSuffix("OK") == true)
    #expect(python["name"] as? String == "support_agent")
    let metadata = try #require(python["metadata"] as? [String: String])
    #expect(metadata["mlflow.modelId"] == modelID)
    #expect(metadata["mlflow.source.git.branch"] == "main")
    #expect(metadata["mlflow.source.git.commit"] == (try fixture.scratch.git(["-C", fixture.repo, "rev-parse", "HEAD"])))

    let spans = try #require(python["spans"] as? [[String: Any]])
    #expect(spans.map { $0["name"] as? String } == ["support_agent", "Completions"])
    #expect(spans.map { $0["type"] as? String } == ["AGENT", "CHAT_MODEL"])
    #expect(spans.allSatisfy { ($0["status"] as? String)?.hasSuffix("OK") == true })
    try #require(spans.count == 2)
    let (root, chat) = (spans[0], spans[1])
    #expect(root["parent"] is NSNull)
    #expect(chat["parent"] as? String == root["id"] as? String)
    #expect(root["inputs"] as? [String: String] == ["question": Self.question])
    #expect(root["outputs"] as? String == answer)

    // The chat span, as Python MLflow's OpenAI autolog records a chat completion.
    let inputs = try #require(chat["inputs"] as? [String: Any])
    #expect(inputs["model"] as? String == "gpt-4o-mini")
    let messages = try #require(inputs["messages"] as? [[String: String]])
    #expect(messages.map { $0["role"] } == ["system", "user"])
    #expect(messages.first?["content"]?.contains("customer support agent") == true)
    #expect(messages.last?["content"] == Self.question)
    let outputs = try #require(chat["outputs"] as? [String: Any])
    let reply = (outputs["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
    #expect(reply?["role"] as? String == "assistant")
    #expect(reply?["content"] as? String == answer)
    let attributes = try #require(chat["attributes"] as? [String: Any])
    #expect(attributes["mlflow.message.format"] as? String == "openai")
    #expect(attributes["mlflow.llm.provider"] as? String == "openai")
    #expect(attributes["mlflow.llm.model"] as? String == "gpt-4o-mini-2024-07-18")  // the model that answered
    #expect(attributes["model"] as? String == "gpt-4o-mini")

    let reported = try #require(outputs["usage"] as? [String: Int])
    let expectedUsage = [
      "input_tokens": reported["prompt_tokens"] ?? -1, "output_tokens": reported["completion_tokens"] ?? -1,
      "total_tokens": reported["total_tokens"] ?? -1,
    ]
    #expect((reported["total_tokens"] ?? 0) > 0)
    #expect(attributes["mlflow.chat.tokenUsage"] as? [String: Int] == expectedUsage)
    #expect(python["usage"] as? [String: Int] == expectedUsage)
  }

  @Test("a rejected API key exits 1 with what to do; the key is neither printed nor stored, though the server repeats it")
  func rejectedKey() async throws {
    let fixture = try await AgentFixture()
    defer { fixture.remove() }
    let server = try await StandInServer(in: fixture.scratch.root, key: "sk-right-\(UUID().uuidString)")
    defer { server.stop() }
    let wrongKey = "sk-wrong-\(UUID().uuidString)"

    let output = try await fixture.runAgent(baseURL: server.baseURL, key: wrongKey)
    #expect(output.exitStatus == 1)
    #expect(output.standardErrorText.contains("rejected the API key (HTTP 401"), "\(output.standardErrorText)")
    #expect(output.standardErrorText.contains("check OPENAI_API_KEY"))
    #expect(output.standardOutputText.contains("version: main@"))
    let printed = output.standardOutputText + output.standardErrorText
    #expect(!printed.contains(wrongKey))
    #expect(!printed.contains(server.key))
    #expect(try server.requests().first?["authorized"] as? Bool == false)

    // The failed call is still a trace, marked ERROR, with the explanation but not the key.
    let python = try #require(
      try await fixture.python(
        """
        traces = mlflow.search_traces(experiment_ids=["0"], return_type="list")
        trace = mlflow.get_trace(traces[0].info.trace_id)
        print(json.dumps({
          "count": len(traces), "state": str(trace.info.state),
          "spans": [{"status": str(s.status.status_code),
                     "events": [{"name": e.name, "attributes": e.attributes} for e in s.events]}
                    for s in trace.data.spans],
        }))
        """) as? [String: Any])
    #expect(python["count"] as? Int == 1)
    #expect((python["state"] as? String)?.hasSuffix("ERROR") == true)
    let spans = try #require(python["spans"] as? [[String: Any]])
    #expect(spans.map { ($0["status"] as? String)?.hasSuffix("ERROR") } == [true, true])
    let event = (spans.last?["events"] as? [[String: Any]])?.first
    #expect(event?["name"] as? String == "exception")
    #expect(((event?["attributes"] as? [String: Any])?["exception.message"] as? String)?.contains("HTTP 401") == true)

    let stored = try FileManager.default.contentsOfDirectory(atPath: fixture.repo).filter { $0.hasPrefix("mlflow.db") }
    for file in stored {
      let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.repo + "/" + file))
      #expect(bytes.range(of: Data(wrongKey.utf8)) == nil, "the key is in \(file)")
    }
  }

  @Test("with no server listening it exits 1 and names the address it tried")
  func serverDown() async throws {
    let fixture = try await AgentFixture()
    defer { fixture.remove() }
    let port = try freePort()
    let output = try await fixture.runAgent(baseURL: "http://127.0.0.1:\(port)/v1", key: "sk-any")
    #expect(output.exitStatus == 1)
    #expect(
      output.standardErrorText.contains("cannot reach the chat API at http://127.0.0.1:\(port)/v1/chat/completions"),
      "\(output.standardErrorText)")
    #expect(output.standardErrorText.contains("check OPENAI_BASE_URL"))
  }

  @Test(
    "provider failures exit 1 and say what happened",
    arguments: [
      (StandInServer.Mode.serverError, "failed (HTTP 500: The server had an error"),
      (.rateLimit, "is rate-limiting requests or the quota is used up (HTTP 429: Rate limit reached for requests.): wait 7 s"),
      (.notJSON, "is not a chat completion (HTTP 200: not JSON: <html>"),
      (.slow, "did not answer (no complete answer within 0.5 seconds)"),
    ])
  func providerFailures(mode: StandInServer.Mode, expected: String) async throws {
    let fixture = try await AgentFixture()
    defer { fixture.remove() }
    let server = try await StandInServer(in: fixture.scratch.root, key: "sk-key", mode: mode, delaySeconds: 10)
    defer { server.stop() }
    let (output, elapsed) = try await fixture.runAgentTimed(
      baseURL: server.baseURL, key: server.key, extra: ["OPENAI_TIMEOUT": "0.5"])
    #expect(output.exitStatus == 1)
    #expect(output.standardErrorText.contains(expected), "\(output.standardErrorText)")
    #expect(elapsed < .seconds(8), "the timeout was not kept")
  }

  @Test("without OPENAI_API_KEY it exits 1 and says to set it")
  func missingKey() async throws {
    let fixture = try await AgentFixture()
    defer { fixture.remove() }
    let output = try await fixture.runAgent(baseURL: "http://127.0.0.1:9/v1", key: "")
    #expect(output.exitStatus == 1)
    #expect(output.standardErrorText.contains("OPENAI_API_KEY is not set"), "\(output.standardErrorText)")
  }

  @Test("outside a Git repository it still answers and says versioning is off; the trace goes to the working directory's mlflow.db, unlinked")
  func outsideRepository() async throws {
    let fixture = try await AgentFixture()
    defer { fixture.remove() }
    let server = try await StandInServer(in: fixture.scratch.root, key: "sk-key")
    defer { server.stop() }
    let plain = fixture.scratch.root + "/plain"
    try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)
    try await MLflowDatabaseTemplate.copy(to: plain + "/mlflow.db")

    let output = try await fixture.runAgent(
      [Self.question], baseURL: server.baseURL, key: server.key, in: plain,
      extra: ["OPENAI_MODEL": "support-small", "GIT_CEILING_DIRECTORIES": fixture.scratch.root])
    #expect(output.exitStatus == 0, "\(output.standardErrorText)")
    #expect(output.standardOutputText.hasPrefix("Stand-in answer: to '\(Self.question)'"))
    #expect(output.standardOutputText.contains("version: none (Git versioning is off: "))
    #expect(output.standardErrorText.contains("Git model versioning is disabled"))
    #expect((try server.requests().first?["body"] as? [String: Any])?["model"] as? String == "support-small")

    let python = try #require(
      try await fixture.python(
        """
        traces = mlflow.search_traces(experiment_ids=["0"], return_type="list")
        print(json.dumps([{"metadata": t.info.trace_metadata, "name": t.info.tags.get("mlflow.traceName"),
                           "spans": [[s.name, s.get_attribute("mlflow.llm.model")] for s in mlflow.get_trace(t.info.trace_id).data.spans]}
                          for t in traces]))
        """, database: plain + "/mlflow.db") as? [[String: Any]])
    #expect(python.count == 1)
    #expect(python.first?["name"] as? String == "support_agent")
    #expect((python.first?["metadata"] as? [String: String])?["mlflow.modelId"] == nil)
    let spans = python.first?["spans"] as? [[Any]]
    #expect(spans?.map { $0.first as? String } == ["support_agent", "Completions"])
    #expect(spans?.last?.last as? String == "support-small-2024-07-18")
    // Nothing went to the repository's database.
    let linked = try await fixture.python(#"print(json.dumps({"count": len(mlflow.search_traces(experiment_ids=["0"], return_type="list"))}))"#)
    #expect((linked as? [String: Int])?["count"] == 0)
  }
}
