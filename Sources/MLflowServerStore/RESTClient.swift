import FoundationEssentials
import HTTPClient
import MLflowStore

/// Sends ``RESTRequest``s to one tracking server with its credentials, TLS settings and retry
/// policy, and returns MLflow's JSON answer or an error that says what happened.
struct RESTClient: Sendable {
  let server: ServerURL
  private let authorization: String?
  private let workspace: String?
  private let timeout: Duration
  private let tls: TLSOptions
  private let policy: RetryPolicy
  private let transport: HTTPTransport

  /// The `User-Agent` of every request.
  static let userAgent = "mlflow-git-swift"

  init(server: ServerURL, configuration: RESTTrackingStore.Configuration) {
    self.server = server
    authorization = (server.credentials ?? configuration.credentials)?.authorizationHeader
    workspace = configuration.workspace
    timeout = configuration.requestTimeout
    tls = configuration.tlsOptions
    policy = RetryPolicy(configuration)
    transport = HTTPTransport.shared
  }

  /// Sends `request`, retrying as the policy allows, and returns the answer's JSON object
  /// (`{}` for an empty answer).
  func send(_ request: RESTRequest) async throws(MLflowStoreError) -> JSONValue {
    let httpRequest = makeHTTPRequest(request)
    var retries = 0
    while true {
      let outcome = await transport.send(httpRequest)
      var answer: HTTPResponse?
      switch outcome {
      case .success(let response) where (200..<300).contains(response.status):
        return try Self.json(of: response, request: request, server: server)
      case .success(let response):
        guard retries < policy.maxRetries, policy.retries(status: response.status, idempotent: request.idempotent) else {
          throw RESTErrorMapping.error(for: response, of: request, server: server)
        }
        answer = response
      case .failure(let failure):
        if Task.isCancelled {
          throw MLflowStoreError(
            code: .storeUnavailable,
            message: "could not \(request.action): the request to \(server) was cancelled"
              + (request.idempotent ? "" : "; the server may still have done it, so look before trying again"))
        }
        guard policy.retries(failure, idempotent: request.idempotent, after: retries) else {
          throw RESTErrorMapping.error(for: failure, of: request, server: server, tls: tls, attempts: retries + 1)
        }
      }
      retries += 1
      do {
        try await Task.sleep(for: policy.delay(beforeRetry: retries, after: answer))
      } catch {
        throw MLflowStoreError(
          code: .storeUnavailable,
          message: "could not \(request.action): cancelled while waiting to retry a request to \(server)")
      }
    }
  }

  private func makeHTTPRequest(_ request: RESTRequest) -> HTTPRequest {
    var url = server.base + request.path
    if !request.query.isEmpty {
      url += "?" + request.query.map { RESTRequest.encode($0.name) + "=" + RESTRequest.encode($0.value) }
        .joined(separator: "&")
    }
    var headers: [(name: String, value: String)] = [("User-Agent", Self.userAgent)]
    if let authorization { headers.append(("Authorization", authorization)) }
    if let workspace { headers.append(("X-MLFLOW-WORKSPACE", workspace)) }
    headers += request.headers
    var body: [UInt8]?
    if let json = request.body {
      headers.append(("Content-Type", "application/json"))
      body = Array(json.pythonJSON.utf8)
    }
    return HTTPRequest(method: request.method, url: url, headers: headers, body: body, timeout: timeout, tls: tls)
  }

  /// The JSON object of a successful answer: `{}` for an empty body (or Armeria's `200 OK`).
  private static func json(of response: HTTPResponse, request: RESTRequest, server: ServerURL) throws(MLflowStoreError) -> JSONValue {
    let text = String(decoding: response.body, as: UTF8.self)
    let trimmed = text.trimmed()
    if trimmed.isEmpty || trimmed == "200 OK" { return .object([]) }
    guard let json = JSONValue.parse(text), case .object = json else {
      throw RESTErrorMapping.notJSON(response, of: request, server: server)
    }
    return json
  }
}
