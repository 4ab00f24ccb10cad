import Foundation
import MLflowStore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends ``RESTRequest``s to one tracking server with its credentials and retry policy, and
/// returns MLflow's JSON answer or an error that says what happened.
struct RESTClient: Sendable {
  let server: ServerURL
  private let authorization: String?
  private let workspace: String?
  private let timeout: Duration
  private let policy: RetryPolicy
  private let transport: HTTPTransport

  /// The `User-Agent` of every request.
  static let userAgent = "mlflow-git-swift"

  init(server: ServerURL, configuration: RESTTrackingStore.Configuration) {
    self.server = server
    authorization = (server.credentials ?? configuration.credentials)?.authorizationHeader
    workspace = configuration.workspace
    timeout = configuration.requestTimeout
    policy = RetryPolicy(configuration)
    transport = HTTPTransport()
  }

  /// Sends `request`, retrying as the policy allows, and returns the answer's JSON object
  /// (`{}` for an empty answer).
  func send(_ request: RESTRequest) async throws(MLflowStoreError) -> JSONValue {
    let urlRequest = try makeURLRequest(request)
    var retries = 0
    while true {
      let outcome = await transport.send(urlRequest, timeout: timeout)
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
        guard retries < policy.maxRetries, policy.retries(failure, idempotent: request.idempotent) else {
          throw RESTErrorMapping.error(for: failure, of: request, server: server, attempts: retries + 1)
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

  private func makeURLRequest(_ request: RESTRequest) throws(MLflowStoreError) -> URLRequest {
    var text = server.base + request.path
    if !request.query.isEmpty {
      text += "?" + request.query.map { RESTRequest.encode($0.name) + "=" + RESTRequest.encode($0.value) }
        .joined(separator: "&")
    }
    guard let url = URL(string: text) else {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "could not \(request.action): '\(request.path)' does not make a valid URL with \(server)")
    }
    var urlRequest = URLRequest(url: url)
    urlRequest.httpMethod = request.method
    urlRequest.setValue(Self.userAgent, forHTTPHeaderField: "User-Agent")
    if let authorization { urlRequest.setValue(authorization, forHTTPHeaderField: "Authorization") }
    if let workspace { urlRequest.setValue(workspace, forHTTPHeaderField: "X-MLFLOW-WORKSPACE") }
    for header in request.headers { urlRequest.setValue(header.value, forHTTPHeaderField: header.name) }
    if let body = request.body {
      urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
      urlRequest.httpBody = Data(body.pythonJSON.utf8)
    }
    return urlRequest
  }

  /// The JSON object of a successful answer: `{}` for an empty body (or Armeria's `200 OK`).
  private static func json(of response: HTTPResponse, request: RESTRequest, server: ServerURL) throws(MLflowStoreError) -> JSONValue {
    let text = String(decoding: response.body, as: UTF8.self)
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.isEmpty || trimmed == "200 OK" { return .object([]) }
    guard let json = JSONValue.parse(text), case .object = json else {
      throw RESTErrorMapping.notJSON(response, of: request, server: server)
    }
    return json
  }
}
