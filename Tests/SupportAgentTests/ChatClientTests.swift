import Foundation
import Testing

@testable import OpenAIChat

@Suite("The chat client's configuration and error mapping")
struct ChatClientTests {
  static let key = "sk-secret-0123456789"
  static let endpoint = "http://127.0.0.1:1/v1/chat/completions"

  @Test("the environment sets key, base URL, model and timeout; empty values count as unset")
  func environment() throws {
    let defaults = try ChatClient(environment: ["OPENAI_API_KEY": Self.key, "OPENAI_BASE_URL": "", "OPENAI_MODEL": " "])
    #expect(defaults.endpoint.absoluteString == "https://api.openai.com/v1/chat/completions")
    #expect(defaults.model == "gpt-4o-mini")
    #expect(defaults.timeout == .seconds(60))
    let local = try ChatClient(environment: [
      "OPENAI_API_KEY": Self.key, "OPENAI_BASE_URL": "http://127.0.0.1:8000/v1/", "OPENAI_MODEL": "llama3",
      "OPENAI_TIMEOUT": "2.5",
    ])
    #expect(local.endpoint.absoluteString == "http://127.0.0.1:8000/v1/chat/completions")
    #expect(local.model == "llama3")
    #expect(local.timeout == .milliseconds(2500))
  }

  @Test("a missing key, a base URL that is not http(s) or a bad timeout is an error that says what to set")
  func invalidEnvironment() {
    #expect(throws: ChatError.self) { try ChatClient(environment: [:]) }
    do {
      _ = try ChatClient(environment: ["OPENAI_API_KEY": Self.key, "OPENAI_BASE_URL": "ftp://user:pw@host/v1"])
      Issue.record("accepted an ftp URL")
    } catch {
      #expect(error.code == .invalidConfiguration)
      #expect(error.description.contains("OPENAI_BASE_URL is not an http(s) URL"))
      #expect(!error.description.contains("pw"))
    }
    do {
      _ = try ChatClient(environment: ["OPENAI_API_KEY": Self.key, "OPENAI_TIMEOUT": "soon"])
      Issue.record("accepted a timeout of 'soon'")
    } catch {
      #expect(error.description.contains("OPENAI_TIMEOUT 'soon' is not a positive number of seconds"))
    }
  }

  @Test("the client's description, debug description and dump never show the key or URL credentials")
  func keyIsNeverPrinted() {
    let client = ChatClient(baseURL: URL(string: "https://proxy-user:proxy-pass@llm.example.com/v1?token=t0k")!, apiKey: Self.key)
    var dumped = ""
    dump(client, to: &dumped)
    for text in [String(describing: client), String(reflecting: client), dumped, "\(client)"] {
      #expect(!text.contains(Self.key), "\(text)")
      #expect(!text.contains("proxy-pass"), "\(text)")
      #expect(!text.contains("t0k"), "\(text)")
    }
    #expect(String(describing: client).contains("llm.example.com"))
  }

  @Test(
    "HTTP answers become errors that say what happened, without the key the server repeats",
    arguments: [
      (401, ChatError.Code.unauthorized, "rejected the API key (HTTP 401: Incorrect API key provided: ***)"),
      (403, .requestRejected, "refused the request (HTTP 403"),
      (404, .requestRejected, "check OPENAI_MODEL"),
      (429, .rateLimited, "wait 20 s and retry"),
      (500, .serverError, "failed (HTTP 500"),
      (503, .serverError, "retry later"),
    ])
  func httpErrors(status: Int, code: ChatError.Code, expected: String) throws {
    let body = Data(#"{"error": {"message": "Incorrect API key provided: \#(Self.key)", "type": "x"}}"#.utf8)
    let error = ChatReply.failure(
      status: status, headers: ["retry-after": "20"], body: body, endpoint: Self.endpoint, key: APIKey(value: Self.key))
    #expect(error.code == code)
    #expect(error.status == status)
    #expect(error.description.contains(expected), "\(error)")
    #expect(!error.description.contains(Self.key))
    #expect(!error.message.contains(Self.key))
  }

  @Test("a 200 answer must be a chat completion; it is decoded with its usage and kept whole for the span")
  func successfulAnswers() throws {
    let key = APIKey(value: Self.key)
    func decode(_ text: String) throws(ChatError) -> ChatCompletion {
      try ChatReply.completion(
        from: .success(.init(status: 200, headers: [:], body: Data(text.utf8))), endpoint: Self.endpoint, key: key,
        timeout: .seconds(1))
    }
    let completion = try decode(
      #"{"id": "c1", "model": "m-2024", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi", "tool_calls": null}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}, "extra": [1, 2.5, true]}"#
    )
    #expect(completion.text == "Hi")
    #expect(completion.model == "m-2024")
    #expect(completion.usage == ChatCompletion.Usage(promptTokens: 3, completionTokens: 1, totalTokens: 4))
    #expect(completion.response["extra"] == .array([.integer(1), .number(2.5), .bool(true)]))
    #expect(completion.response["choices"] != nil)

    for (body, expected) in [
      ("<html>Bad gateway</html>", "not JSON: <html>Bad gateway</html>"),
      (#"{"choices": []}"#, "no choices"),
      (#"{"object": "list", "data": []}"#, "missing choices"),
    ] {
      #expect {
        _ = try decode(body)
      } throws: { error in
        (error as? ChatError)?.code == .invalidResponse && "\(error)".contains(expected)
      }
    }
  }

  @Test("transport failures say whether the server was unreachable or too slow")
  func transportFailures() {
    let key = APIKey(value: Self.key)
    for (failure, code, expected) in [
      (ChatTransport.Failure.notConnected("Couldn't connect to server"), ChatError.Code.connectionFailed, "cannot reach"),
      (.interrupted("reset by peer"), .connectionFailed, "the connection broke"),
      (.timedOut, .timedOut, "no complete answer within 2.0 seconds"),
    ] {
      #expect {
        _ = try ChatReply.completion(from: .failure(failure), endpoint: Self.endpoint, key: key, timeout: .seconds(2))
      } throws: { error in
        (error as? ChatError)?.code == code && "\(error)".contains(expected) && "\(error)".contains(Self.endpoint)
      }
    }
  }
}
