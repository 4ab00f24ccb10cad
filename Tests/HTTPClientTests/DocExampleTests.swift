import Foundation
import Testing
import TestSupport

@testable import HTTPClient

/// The `///` examples of HTTPClient, verbatim (between `doc example` and `end doc example` lines,
/// at the left margin as the comments show them), sent to a real local HTTP server.
@Suite("The `///` examples of HTTPClient run, and are their comments' text")
struct DocExampleTests {
  @Test("the examples this file holds are their comments' text, and every example of HTTPClient is held by a test")
  func examplesAreTheComments() throws {
    let problems = try DocExamples.problems(testFiles: [#filePath], modules: ["HTTPClient"], testFolders: ["HTTPClientTests"])
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))")
  }

  @Test("HTTPRequest's example posts its JSON with its headers; HTTPTransport's reads an answer, or says nothing listens")
  func requestExamples() async throws {
    let server = try await EchoServer()
    defer { server.stop() }
    let baseURL = server.url
    let key = "sk-doc-example"
    let json = #"{"model": "gpt-4o-mini"}"#
// doc example: Sources/HTTPClient/HTTPRequest.swift
var request = HTTPRequest(method: "POST", url: baseURL + "/v1/chat/completions")
request.headers = [("Content-Type", "application/json"), ("Authorization", "Bearer " + key)]
request.body = Array(json.utf8)
request.timeout = .seconds(30)
let answer = await HTTPTransport.shared.send(request)
// end doc example
    let echo = try JSONDecoder().decode(Echo.self, from: Data(try answer.get().body))
    #expect(echo.method == "POST" && echo.path == "/v1/chat/completions" && echo.body == json)
    #expect(echo.headers["authorization"] == "Bearer " + key && echo.headers["content-type"] == "application/json")

    let answered = await healthExample(serverURL: server.url)
    #expect(answered.count == 1 && answered[0].hasPrefix(#"200 {"method": "GET", "path": "/health""#), "\(answered)")
    let refused = await healthExample(serverURL: "http://127.0.0.1:\(try freePort())")
    #expect(refused.count == 1 && refused[0].hasPrefix("nothing is listening: "), "\(refused)")
  }

  /// HTTPTransport's example: what it printed.
  func healthExample(serverURL: String) async -> [String] {
    var printed: [String] = []
    func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }
// doc example: Sources/HTTPClient/HTTPTransport.swift
let answer = await HTTPTransport.shared.send(
  HTTPRequest(method: "GET", url: serverURL + "/health", timeout: .seconds(5)))
switch answer {
case .success(let response): print(response.status, String(decoding: response.body, as: UTF8.self))
case .failure(.notConnected(let reason)): print("nothing is listening:", reason)
case .failure(let failure): print(failure)
}
// end doc example
    return printed
  }
}
