import Foundation

/// Turns what the transport brought back into a ``ChatCompletion`` or a ``ChatError`` that says
/// what happened (status, the provider's own explanation) without the API key.
enum ChatReply {
  /// The most characters of a provider's explanation kept in an error.
  static let messageLimit = 500

  static func completion(
    from outcome: Result<ChatTransport.Reply, ChatTransport.Failure>, endpoint: String, key: APIKey,
    timeout: Duration
  ) throws(ChatError) -> ChatCompletion {
    let reply: ChatTransport.Reply
    switch outcome {
    case .success(let answer): reply = answer
    case .failure(.notConnected(let detail)):
      throw ChatError(code: .connectionFailed, endpoint: endpoint, message: key.redacting(detail))
    case .failure(.interrupted(let detail)):
      throw ChatError(
        code: .connectionFailed, endpoint: endpoint, message: "the connection broke: " + key.redacting(detail))
    case .failure(.timedOut):
      throw ChatError(code: .timedOut, endpoint: endpoint, message: "no complete answer within \(timeout)")
    }
    guard (200..<300).contains(reply.status) else {
      throw failure(status: reply.status, headers: reply.headers, body: reply.body, endpoint: endpoint, key: key)
    }
    let decoder = JSONDecoder()
    guard let response = try? decoder.decode(ResponseJSON.self, from: reply.body) else {
      throw ChatError(
        code: .invalidResponse, endpoint: endpoint, status: reply.status,
        message: "not JSON: " + excerpt(reply.body, key: key))
    }
    var completion: ChatCompletion
    do {
      completion = try decoder.decode(ChatCompletion.self, from: reply.body)
    } catch {
      throw ChatError(
        code: .invalidResponse, endpoint: endpoint, status: reply.status,
        message: "unexpected JSON (\(describe(error))): " + excerpt(reply.body, key: key))
    }
    guard !completion.choices.isEmpty else {
      throw ChatError(code: .invalidResponse, endpoint: endpoint, status: reply.status, message: "no choices")
    }
    completion.response = response
    return completion
  }

  /// The error for a non-2xx answer, with the provider's `error.message` when it sent one.
  static func failure(status: Int, headers: [String: String], body: Data, endpoint: String, key: APIKey) -> ChatError {
    let message = providerMessage(body, key: key)
    switch status {
    case 401:
      return ChatError(code: .unauthorized, endpoint: endpoint, status: status, message: message)
    case 429:
      let retryAfter = headers["retry-after"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
      return ChatError(
        code: .rateLimited, endpoint: endpoint, status: status, message: message, retryAfterSeconds: retryAfter)
    case 500...:
      return ChatError(code: .serverError, endpoint: endpoint, status: status, message: message)
    case 400..<500:
      return ChatError(code: .requestRejected, endpoint: endpoint, status: status, message: message)
    default:
      return ChatError(code: .invalidResponse, endpoint: endpoint, status: status, message: message)
    }
  }

  /// OpenAI's `{"error": {"message": …}}` (or `{"error": "…"}`, `{"message": …}`), else the
  /// start of the body.
  static func providerMessage(_ body: Data, key: APIKey) -> String {
    if let json = try? JSONDecoder().decode(ResponseJSON.self, from: body) {
      let text = json["error"]?["message"]?.stringValue ?? json["error"]?.stringValue ?? json["message"]?.stringValue
      if let text { return String(key.redacting(text).prefix(messageLimit)) }
    }
    return excerpt(body, key: key)
  }

  /// The start of `body` as one line of text, without the key.
  static func excerpt(_ body: Data, key: APIKey) -> String {
    if body.isEmpty { return "empty body" }
    let text = key.redacting(String(decoding: body, as: UTF8.self))
    let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
      .joined(separator: " ")
    return line.count > 200 ? String(line.prefix(200)) + "…" : line
  }

  private static func describe(_ error: any Error) -> String {
    switch error as? DecodingError {
    case .keyNotFound(let key, let context)?:
      return "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
    case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
      return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    default:
      return "cannot decode"
    }
  }
}
