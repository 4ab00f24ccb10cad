import Foundation
import MLflowServerStore
import MLflowStore
import Testing
import TestSupport

/// The REST store against a fake server doing what a real MLflow server will not: refuse
/// connections, never answer, answer 503 or 500, or answer something that is not MLflow's JSON.
@Suite("REST store: faults, retries and transport", .tags(.timingSensitive))
struct RESTFaultTests {
  static let modelAnswer = #"""
    {"model": {"info": {"model_id": "m-0123456789abcdef0123456789abcdef", "experiment_id": "0", "name": "x",
    "creation_timestamp_ms": 1, "last_updated_timestamp_ms": 1, "artifact_uri": "a", "status": "LOGGED_MODEL_PENDING"}}}
    """#

  /// Fast retries with no jitter, so tests measure the policy, not the defaults' minutes.
  func store(_ url: String, timeout: Duration = .seconds(5), retries: Int = 3) throws -> RESTTrackingStore {
    try RESTTrackingStore(
      serverURL: url,
      configuration: .init(requestTimeout: timeout, maxRetries: retries, backoffFactor: 0.05, backoffJitter: 0))
  }

  @Test("A refused connection is retried once by default (as many times as MLFLOW_GIT_UNREACHABLE_RETRIES says), then reported as the store being unavailable")
  func connectionRefused() async throws {
    let port = try freePort()
    let started = ContinuousClock.now
    let error = await #expect(throws: MLflowStoreError.self) {
      try await RESTTrackingStore(serverURL: "http://127.0.0.1:\(port)", environment: [:]).experiment(id: "0")
    }
    #expect(ContinuousClock.now - started < .seconds(30), "MLflow's 7 retries with backoff would take minutes")
    #expect(error?.code == .storeUnavailable)
    #expect(error?.message.contains("cannot connect to the tracking server at http://127.0.0.1:\(port) (2 tries)") == true)

    let patient = try RESTTrackingStore.Configuration(environment: [
      "MLFLOW_GIT_UNREACHABLE_RETRIES": "3", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "0.05", "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER": "0",
    ])
    let retried = await #expect(throws: MLflowStoreError.self) {
      try await RESTTrackingStore(serverURL: "http://127.0.0.1:\(port)", configuration: patient).experiment(id: "0")
    }
    #expect(retried?.message.contains("(4 tries)") == true)
  }

  @Test("A server that never answers hits MLFLOW_HTTP_REQUEST_TIMEOUT; a create is not repeated")
  func neverAnswers() async throws {
    let server = try FakeServer { _, _ in .hang }
    let configuration = try RESTTrackingStore.Configuration(environment: [
      "MLFLOW_HTTP_REQUEST_TIMEOUT": "1", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "0",
    ])
    let store = try RESTTrackingStore(serverURL: server.url, configuration: configuration)
    let create = await #expect(throws: MLflowStoreError.self) {
      try await store.createLoggedModel(experimentID: "0", name: nil, tags: [:])
    }
    #expect(create?.code == .storeUnavailable)
    #expect(create?.message.contains("did not answer in time") == true)
    #expect(create?.message.contains("it may still have done it") == true)
    #expect(server.requests.count == 1, "a create that may have been processed must not be sent again")

    let read = await #expect(throws: MLflowStoreError.self) { try await store.experiment(id: "0") }
    #expect(read?.code == .storeUnavailable)
    #expect(server.requests.count == 3, "a read is retried once")

    // libcurl enforces the timeout to the millisecond: no request gives up before it (as the
    // server measures), and the call fails soon after it, with room for two loaded cores.
    let precise = try self.store(server.url, timeout: .milliseconds(500), retries: 0)
    let started = ContinuousClock.now
    let timedOut = await #expect(throws: MLflowStoreError.self) { try await precise.experiment(id: "0") }
    let elapsed = ContinuousClock.now - started
    #expect(timedOut?.message.contains("did not answer in time") == true)
    // The bound leaves room for a test process whose cooperative threads other suites' blocking
    // child processes hold for seconds; an ignored timeout would take the default 120 s.
    #expect(elapsed >= .milliseconds(480) && elapsed < .seconds(10), "a 0.5 s timeout took \(elapsed)")
    for wait in server.hangDurations { #expect(wait >= .milliseconds(480), "\(server.hangDurations)") }
  }

  @Test("Cancelling the task abandons a request at once, without retrying it")
  func cancellation() async throws {
    let server = try FakeServer { _, _ in .hang }
    let store = try store(server.url, timeout: .seconds(120), retries: 3)
    let started = ContinuousClock.now
    let task = Task { try await store.experiment(id: "0") }
    while server.requests.isEmpty, ContinuousClock.now - started < .seconds(10) { try await Task.sleep(for: .milliseconds(10)) }
    task.cancel()
    let error = await #expect(throws: MLflowStoreError.self) { try await task.value }
    // Without cancellation the call would take at least the 120 s timeout; the bound leaves
    // room for a loaded test process.
    #expect(ContinuousClock.now - started < .seconds(60))
    #expect(error?.message.contains("cancelled") == true, "\(error?.message ?? "")")
    #expect(server.requests.count == 1)
  }

  @Test("Sequential requests reuse one connection; concurrent ones get their own, then reuse them")
  func connectionReuse() async throws {
    let server = try FakeServer { _, _ in .respond(status: 200, body: RESTFaultTests.modelAnswer) }
    let store = try store(server.url)
    for _ in 0..<5 { _ = try await store.loggedModel(id: "m-0123456789abcdef0123456789abcdef") }
    #expect(server.connections == 1 && server.requests.count == 5)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for _ in 0..<4 { group.addTask { _ = try await store.loggedModel(id: "m-0123456789abcdef0123456789abcdef") } }
      try await group.waitForAll()
    }
    #expect(server.connections <= 4 && server.requests.count == 9)
    let before = server.connections
    for _ in 0..<4 { _ = try await store.loggedModel(id: "m-0123456789abcdef0123456789abcdef") }
    #expect(server.connections == before, "idle connections are kept and reused")
  }

  @Test("503 with Retry-After is retried after the delay, then succeeds")
  func retryAfter() async throws {
    let server = try FakeServer { index, _ in
      index == 0
        ? .respond(status: 503, headers: ["Retry-After": "1"], body: #"{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}"#)
        : .respond(status: 200, body: RESTFaultTests.modelAnswer)
    }
    let model = try await store(server.url).loggedModel(id: "m-0123456789abcdef0123456789abcdef")
    #expect(model.modelID == "m-0123456789abcdef0123456789abcdef" && model.status == .pending)
    let requests = server.requests
    #expect(requests.count == 2)
    if requests.count == 2 {
      let delay = requests[1].receivedAt - requests[0].receivedAt
      #expect(delay >= .milliseconds(950), "retried after \(delay), before Retry-After's 1 s")
    }
  }

  @Test("500 on a create is not retried (no duplicate); 429 is, because nothing was created")
  func createIsNotRepeated() async throws {
    let failing = try FakeServer { _, _ in
      .respond(status: 500, body: #"{"error_code": "INTERNAL_ERROR", "message": "database is locked"}"#)
    }
    let error = await #expect(throws: MLflowStoreError.self) {
      try await store(failing.url).createLoggedModel(experimentID: "0", name: nil, tags: ["k": "v"])
    }
    #expect(error?.code == .serverError)
    #expect(error?.message.contains("database is locked") == true)
    #expect(failing.requests.count == 1)
    #expect(failing.requests.first?.method == "POST" && failing.requests.first?.path == "/api/2.0/mlflow/logged-models")

    let limited = try FakeServer { index, _ in
      index == 0 ? .respond(status: 429, body: "{}") : .respond(status: 200, body: RESTFaultTests.modelAnswer)
    }
    let model = try await store(limited.url).createLoggedModel(experimentID: "0", name: nil, tags: ["k": "v"])
    #expect(model.modelID == "m-0123456789abcdef0123456789abcdef")
    #expect(limited.requests.count == 2)

    let flaky = try FakeServer { index, _ in
      index < 2 ? .respond(status: 502, body: "<html><title>502 Bad Gateway</title></html>")
        : .respond(status: 200, body: #"{"models": []}"#)
    }
    let page = try await store(flaky.url).searchLoggedModels(LoggedModelSearch(experimentIDs: ["0"]))
    #expect(page.models.isEmpty && flaky.requests.count == 3, "a search is retried through 502s")
  }

  @Test("Garbage JSON, an HTML page, a truncated body and a non-MLflow 404 give clear errors")
  func notMLflowAnswers() async throws {
    let cases: [(FakeServer.Action, MLflowStoreError.Code, String)] = [
      (.respond(status: 200, body: #"{"model": {"info": "#), .unexpectedResponse, "not complete JSON"),
      (.respond(status: 200, headers: ["Content-Type": "text/html"], body: "<!doctype html><html><title>Sign in</title></html>"),
       .unexpectedResponse, "an HTML page ('Sign in')"),
      (.raw("HTTP/1.1 200 OK\r\nContent-Length: 500\r\nContent-Type: application/json\r\n\r\n{\"model\": {\"info\""),
       .storeUnavailable, "broke before the whole answer arrived"),
      (.respond(status: 404, headers: ["Content-Type": "text/html"], body: "<html><title>404 Not Found</title></html>"),
       .unexpectedResponse, "has no such endpoint"),
      (.respond(status: 200, body: #"{"unexpected": true}"#), .unexpectedResponse, "no model"),
    ]
    for (action, code, words) in cases {
      let server = try FakeServer { _, _ in action }
      let error = await #expect(throws: MLflowStoreError.self) {
        try await store(server.url, retries: 0).loggedModel(id: "m-0123456789abcdef0123456789abcdef")
      }
      #expect(error?.code == code, "\(action)")
      #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
      #expect(error?.message.contains(server.url) == true || code == .unexpectedResponse && words == "no model")
    }
  }

  @Test("Credentials: user info in the URL becomes Basic auth and never shows; a token is a bearer")
  func credentialsAndHeaders() async throws {
    let server = try FakeServer { _, _ in
      .respond(status: 401, headers: ["WWW-Authenticate": "Basic realm=\"mlflow\""], body: "You are not authenticated.")
    }
    let secretURL = server.url.replacingOccurrences(of: "http://", with: "http://alice:pa%3Ass@")
    let store = try RESTTrackingStore(serverURL: secretURL, environment: ["MLFLOW_WORKSPACE": "team-a"])
    #expect(store.serverURL == server.url)
    let error = await #expect(throws: MLflowStoreError.self) { try await store.experiment(id: "0") }
    #expect(error?.code == .unauthenticated)
    #expect(error?.message.contains("pa:ss") == false && error?.message.contains("pa%3Ass") == false)
    #expect(error?.message.contains("MLFLOW_TRACKING_USERNAME") == true)
    let request = try #require(server.requests.first)
    #expect(request.headers["authorization"] == "Basic " + Data("alice:pa:ss".utf8).base64EncodedString())
    #expect(request.headers["x-mlflow-workspace"] == "team-a")
    #expect(request.path == "/api/2.0/mlflow/experiments/get?experiment_id=0")

    let bearer = try RESTTrackingStore(serverURL: server.url, environment: ["MLFLOW_TRACKING_TOKEN": "tok-123"])
    _ = try? await bearer.experiment(id: "0")
    #expect(server.requests.last?.headers["authorization"] == "Bearer tok-123")
    let both = try RESTTrackingStore.Configuration(environment: [
      "MLFLOW_TRACKING_TOKEN": "tok-123", "MLFLOW_TRACKING_USERNAME": "bob", "MLFLOW_TRACKING_PASSWORD": "pw",
    ])
    #expect(both.credentials == .basic(username: "bob", password: "pw"), "Basic wins over a token, as in MLflow")
    #expect("\(both.credentials!)".contains("pw") == false)
  }

  @Test("Configuration follows MLflow's variables, defaults and limits")
  func configuration() throws {
    let defaults = try RESTTrackingStore.Configuration(environment: [:])
    #expect(defaults.requestTimeout == .seconds(120) && defaults.maxRetries == 7 && defaults.backoffFactor == 2)
    #expect(defaults.credentials == nil && defaults.tlsVerification == .system)
    let set = try RESTTrackingStore.Configuration(environment: [
      "MLFLOW_HTTP_REQUEST_TIMEOUT": "0.5", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "10", "MLFLOW_TRACKING_INSECURE_TLS": "true",
    ])
    #expect(set.requestTimeout == .milliseconds(500) && set.maxRetries == 10 && set.tlsVerification == .insecure)
    for (name, value) in [
      ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "11"), ("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "121"),
      ("MLFLOW_HTTP_REQUEST_TIMEOUT", "soon"), ("MLFLOW_TRACKING_INSECURE_TLS", "yes"),
    ] {
      let error = #expect(throws: MLflowStoreError.self) { try RESTTrackingStore.Configuration(environment: [name: value]) }
      #expect(error?.code == .invalidConfiguration && error?.message.contains(name) == true)
    }
    let conflict = #expect(throws: MLflowStoreError.self) {
      try RESTTrackingStore.Configuration(environment: [
        "MLFLOW_TRACKING_INSECURE_TLS": "true", "MLFLOW_TRACKING_SERVER_CERT_PATH": "/etc/ca.pem",
      ])
    }
    #expect(conflict?.code == .invalidConfiguration)
    #expect(throws: Never.self, "TLS settings are applied, not refused") {
      try RESTTrackingStore(serverURL: "https://mlflow.example.com", configuration: set)
    }
    let certificates = try RESTTrackingStore.Configuration(environment: [
      "MLFLOW_TRACKING_SERVER_CERT_PATH": "/etc/ca.pem", "MLFLOW_TRACKING_CLIENT_CERT_PATH": "/etc/client.pem",
    ])
    #expect(certificates.tlsVerification == .certificateAuthority(path: "/etc/ca.pem"))
    #expect(certificates.clientCertificatePath == "/etc/client.pem")
    let bad = #expect(throws: MLflowStoreError.self) { try RESTTrackingStore(serverURL: "ftp://u:secret@host") }
    #expect(bad?.code == .invalidConfiguration && bad?.message.contains("secret") == false)
  }
}
