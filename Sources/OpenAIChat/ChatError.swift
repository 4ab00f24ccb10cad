/// Why a chat-completions call failed, with what to do about it. The API key never appears in
/// it: text the provider sends back is cleaned of the key before it is kept.
///
/// # Usage
/// ```swift
/// do {
///   let completion = try await client.complete(messages: messages)
///   print(completion.text ?? "")
/// } catch {
///   if error.code == .rateLimited { try await Task.sleep(for: .seconds(error.retryAfterSeconds ?? 5)) }
///   print("error: \(error)")
/// }
/// ```
public struct ChatError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What went wrong, as an extensible set of values.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    private enum Storage: Hashable {
      case missingAPIKey, invalidConfiguration, unauthorized, rateLimited, serverError, requestRejected
      case invalidResponse, connectionFailed, timedOut
    }
    private let storage: Storage

    /// `OPENAI_API_KEY` is not set (or empty).
    public static let missingAPIKey = Code(storage: .missingAPIKey)
    /// The base URL, model or timeout cannot be used.
    public static let invalidConfiguration = Code(storage: .invalidConfiguration)
    /// HTTP 401: the API key was rejected.
    public static let unauthorized = Code(storage: .unauthorized)
    /// HTTP 429: too many requests, or the quota is used up.
    public static let rateLimited = Code(storage: .rateLimited)
    /// HTTP 5xx: the provider failed.
    public static let serverError = Code(storage: .serverError)
    /// Another HTTP 4xx: the request was refused (unknown model, forbidden, bad request).
    public static let requestRejected = Code(storage: .requestRejected)
    /// The answer was not a chat completion (not JSON, or no choices).
    public static let invalidResponse = Code(storage: .invalidResponse)
    /// No connection could be made (refused, unknown host) or it broke.
    public static let connectionFailed = Code(storage: .connectionFailed)
    /// No complete answer within the timeout.
    public static let timedOut = Code(storage: .timedOut)

    public var description: String {
      switch storage {
      case .missingAPIKey: "missing API key"
      case .invalidConfiguration: "invalid configuration"
      case .unauthorized: "unauthorized"
      case .rateLimited: "rate limited"
      case .serverError: "server error"
      case .requestRejected: "request rejected"
      case .invalidResponse: "invalid response"
      case .connectionFailed: "connection failed"
      case .timedOut: "timed out"
      }
    }
  }

  /// What went wrong.
  public let code: Code
  /// The endpoint called (without credentials), e.g. `https://api.openai.com/v1/chat/completions`.
  public let endpoint: String
  /// The HTTP status, when the server answered.
  public let status: Int?
  /// The provider's explanation or the underlying failure, without the API key.
  public let message: String
  /// For ``Code-swift.struct/rateLimited``: how long the provider asks to wait (`Retry-After`).
  public let retryAfterSeconds: Int?

  /// An error of kind `code` from calling `endpoint` (without credentials), with the HTTP
  /// `status` and the provider's `message` when there are any.
  package init(code: Code, endpoint: String, status: Int? = nil, message: String = "", retryAfterSeconds: Int? = nil) {
    self.code = code
    self.endpoint = endpoint
    self.status = status
    self.message = message
    self.retryAfterSeconds = retryAfterSeconds
  }

  /// What happened and what to do, naming the endpoint and never the API key.
  public var description: String {
    let said = message.isEmpty ? "" : ": \(message)"
    let http = status.map { "HTTP \($0)\(said)" } ?? message
    switch code {
    case .missingAPIKey:
      return "OPENAI_API_KEY is not set: export your API key (a local server that checks no key accepts any value)"
    case .invalidConfiguration:
      return message
    case .unauthorized:
      return "the chat API at \(endpoint) rejected the API key (\(http)): "
        + "check OPENAI_API_KEY and that it is a key for this endpoint"
    case .rateLimited:
      let wait = retryAfterSeconds.map { "wait \($0) s and retry" } ?? "wait and retry"
      return "the chat API at \(endpoint) is rate-limiting requests or the quota is used up (\(http)): "
        + "\(wait), or check the account's limits and billing"
    case .serverError:
      return "the chat API at \(endpoint) failed (\(http)): the provider has a problem; retry later"
    case .requestRejected:
      return "the chat API at \(endpoint) refused the request (\(http)): check OPENAI_MODEL and OPENAI_BASE_URL"
    case .invalidResponse:
      return "the answer from \(endpoint) is not a chat completion (\(http)): "
        + "check that OPENAI_BASE_URL is an OpenAI-compatible API (it usually ends in /v1)"
    case .connectionFailed:
      return "cannot reach the chat API at \(endpoint) (\(message)): "
        + "check OPENAI_BASE_URL and that the server is running"
    case .timedOut:
      return "the chat API at \(endpoint) did not answer (\(message)): "
        + "retry, or allow longer with OPENAI_TIMEOUT (seconds)"
    default:
      return "\(code) calling \(endpoint) (\(http))"
    }
  }
}
