import Foundation
import HTTPClient
import Testing
import TestSupport

/// The answer's body as the echo server's JSON.
private func echo(_ answer: Result<HTTPResponse, TransportFailure>) throws -> Echo {
  let response = try answer.get()
  return try JSONDecoder().decode(Echo.self, from: Data(response.body))
}

@Suite("HTTPTransport against a real HTTP server (Python's http.server)")
struct HTTPTransportTests {
  @Test("a POST carries its method, path, headers and body; the answer its status, headers and body")
  func postRoundTrip() async throws {
    let server = try await EchoServer()
    defer { server.stop() }
    let body = #"{"name": "prompt ✓", "value": 1}"#
    let request = HTTPRequest(
      method: "POST", url: server.url + "/api/2.0/mlflow/logged-models?status=201",
      headers: [("Content-Type", "application/json"), ("X-Custom", "custom value")], body: Array(body.utf8),
      timeout: .seconds(30))
    let answer = await HTTPTransport().send(request)
    let response = try answer.get()
    #expect(response.status == 201)
    #expect(response.headers["content-type"] == "application/json")
    #expect(response.headers["x-repeated"] == "a, b", "a repeated header's values joined, names lowercased")
    let seen = try echo(answer)
    #expect(seen.method == "POST")
    #expect(seen.path == "/api/2.0/mlflow/logged-models?status=201")
    #expect(seen.body == body)
    #expect(seen.headers["content-type"] == "application/json")
    #expect(seen.headers["x-custom"] == "custom value")
    #expect(seen.headers["content-length"] == String(body.utf8.count))
    #expect(seen.headers["expect"] == nil, "no 100-continue wait")
  }

  @Test("no body and no content type of libcurl's choosing unless asked; an error status is an answer too")
  func getRoundTrip() async throws {
    let server = try await EchoServer()
    defer { server.stop() }
    let answer = await HTTPTransport().send(HTTPRequest(method: "GET", url: server.url + "/missing?status=404", timeout: .seconds(30)))
    #expect(try answer.get().status == 404)
    let seen = try echo(answer)
    #expect(seen.method == "GET" && seen.body.isEmpty)
    #expect(seen.headers["content-type"] == nil)
    #expect(seen.headers["content-length"] == nil)

    let post = try echo(await HTTPTransport().send(HTTPRequest(method: "POST", url: server.url + "/", body: [0x41], timeout: .seconds(30))))
    #expect(post.body == "A")
    #expect(post.headers["content-type"] == nil, "not libcurl's application/x-www-form-urlencoded")
  }

  @Test("requests one after another reuse one connection")
  func connectionReuse() async throws {
    let server = try await EchoServer()
    defer { server.stop() }
    let transport = HTTPTransport()
    var ports: [Int] = []
    for index in 0..<5 {
      let method = index.isMultiple(of: 2) ? "GET" : "POST"
      let request = HTTPRequest(method: method, url: server.url + "/\(index)", body: method == "POST" ? [1, 2] : nil, timeout: .seconds(30))
      ports.append(try echo(await transport.send(request)).clientPort)
    }
    #expect(Set(ports).count == 1, "client ports \(ports): a new connection per request")
  }

  @Test("concurrent requests each get their own answer")
  func concurrentRequests() async throws {
    let server = try await EchoServer()
    defer { server.stop() }
    let transport = HTTPTransport()
    let paths = try await withThrowingTaskGroup(of: (Int, String).self) { group in
      for index in 0..<20 {
        group.addTask {
          let request = HTTPRequest(method: "POST", url: server.url + "/\(index)", body: Array("body \(index)".utf8), timeout: .seconds(30))
          let seen = try echo(await transport.send(request))
          return (index, seen.path + " " + seen.body)
        }
      }
      return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
    }
    #expect(paths == Dictionary(uniqueKeysWithValues: (0..<20).map { ($0, "/\($0) body \($0)") }))
  }

  @Test("what cannot be sent fails as cannotSend, before any connection")
  func cannotSend() async {
    let transport = HTTPTransport()
    for request in [
      HTTPRequest(method: "GET", url: "ftp://127.0.0.1/file"),
      HTTPRequest(method: "GET", url: "http://127.0.0.1/a path"),
      HTTPRequest(method: "GET", url: "http://127.0.0.1/", headers: [("X-Bad", "line\r\nInjected: yes")]),
    ] {
      let answer = await transport.send(request)
      guard case .failure(.cannotSend) = answer else {
        Issue.record("\(request.url) \(request.headers): \(answer)")
        continue
      }
    }
  }
}

@Suite("HTTPTransport's faults: nothing listening, no answer in time, a cancelled task", .tags(.timingSensitive))
struct HTTPTransportFaultTests {
  /// How much sooner than our clock says libcurl may end a request for its timeout: it times the
  /// request from a clock reading it took (and keeps) before ours, so a 500 ms timeout was seen
  /// to end 0.4 ms short of 500 ms by ContinuousClock.
  static let libcurlClockSkew = Duration.milliseconds(5)

  @Test("nothing listening is notConnected at once: the server never saw the request")
  func nothingListening() async throws {
    let port = try freePort()
    let started = ContinuousClock.now
    let answer = await HTTPTransport().send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/", body: [1], timeout: .seconds(30)))
    guard case .failure(.notConnected) = answer else {
      Issue.record("\(answer)")
      return
    }
    #expect(ContinuousClock.now - started < .seconds(5))
  }

  @Test("a server that takes the request and never answers is timedOut after the request's timeout")
  func silentServerTimesOut() async throws {
    let server = try SilentServer()
    defer { server.close() }
    let timeout = Duration.milliseconds(300)
    let started = ContinuousClock.now
    let answer = await HTTPTransport().send(HTTPRequest(method: "POST", url: server.url + "/", body: [1], timeout: timeout))
    let elapsed = ContinuousClock.now - started
    #expect(answer.failure == .timedOut, "\(answer)")
    #expect(elapsed >= timeout - Self.libcurlClockSkew, "a 300 ms timeout took \(elapsed)")
    #expect(elapsed < timeout + .seconds(2), "a 300 ms timeout took \(elapsed)")
  }

  @Test("a slow answer is timedOut after the timeout, and the transport works on afterwards")
  func slowAnswerTimesOut() async throws {
    let server = try await EchoServer()
    defer { server.stop() }
    let transport = HTTPTransport()
    let timeout = Duration.milliseconds(500)
    let started = ContinuousClock.now
    let answer = await transport.send(HTTPRequest(method: "GET", url: server.url + "/?delay=10", timeout: timeout))
    let elapsed = ContinuousClock.now - started
    #expect(answer.failure == .timedOut, "\(answer)")
    #expect(elapsed >= timeout - Self.libcurlClockSkew && elapsed < timeout + .seconds(2), "a 500 ms timeout took \(elapsed)")
    #expect(try echo(await transport.send(HTTPRequest(method: "GET", url: server.url + "/after", timeout: .seconds(30)))).path == "/after")
  }

  @Test("cancelling the task abandons its request at once, as interrupted; other requests carry on")
  func cancellation() async throws {
    let server = try await EchoServer()
    defer { server.stop() }
    let transport = HTTPTransport()
    let slow = Task { await transport.send(HTTPRequest(method: "GET", url: server.url + "/?delay=10", timeout: .seconds(60))) }
    let other = Task { await transport.send(HTTPRequest(method: "GET", url: server.url + "/other?delay=1", timeout: .seconds(60))) }
    try await Task.sleep(for: .milliseconds(300))
    let cancelled = ContinuousClock.now
    slow.cancel()
    let answer = await slow.value
    #expect(ContinuousClock.now - cancelled < .seconds(2), "the cancelled request returned only after \(ContinuousClock.now - cancelled)")
    #expect(answer.failure == .interrupted("the request was cancelled"), "\(answer)")
    #expect(try echo(await other.value).path == "/other?delay=1")
  }

  @Test("a task cancelled before it sends gets interrupted without a connection")
  func cancelledBeforeSending() async throws {
    let server = try SilentServer()
    defer { server.close() }
    let request = Task {
      withUnsafeCurrentTask { $0?.cancel() }
      return await HTTPTransport().send(HTTPRequest(method: "GET", url: server.url + "/", timeout: .seconds(10)))
    }
    let answer = await request.value
    #expect(answer.failure == .interrupted("the request was cancelled"), "\(answer)")
  }
}

extension Result {
  /// The failure, or `nil` on success.
  fileprivate var failure: Failure? {
    if case .failure(let failure) = self { return failure }
    return nil
  }
}
