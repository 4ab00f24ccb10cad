import Foundation

extension ChatClient {
  /// The variable that holds the API key.
  public static let apiKeyVariable = "OPENAI_API_KEY"
  /// The variable that holds the API's base URL.
  public static let baseURLVariable = "OPENAI_BASE_URL"
  /// The variable that names the model.
  public static let modelVariable = "OPENAI_MODEL"
  /// The variable that holds the timeout of one call, in seconds.
  public static let timeoutVariable = "OPENAI_TIMEOUT"

  /// A client configured like OpenAI's SDKs, from the environment: `OPENAI_API_KEY` (required),
  /// `OPENAI_BASE_URL` (default `https://api.openai.com/v1`), plus `OPENAI_MODEL` (default
  /// `gpt-4o-mini`) and `OPENAI_TIMEOUT` in seconds (default 60). Empty values count as unset.
  ///
  /// # Usage
  /// ```swift
  /// // OPENAI_BASE_URL=http://127.0.0.1:8000/v1 OPENAI_API_KEY=local ./agent
  /// let client = try ChatClient(environment: ProcessInfo.processInfo.environment)
  /// ```
  ///
  /// - Throws: ``ChatError`` with ``ChatError/Code-swift.struct/missingAPIKey`` when there is no
  ///   key, ``ChatError/Code-swift.struct/invalidConfiguration`` when the base URL is not an
  ///   http(s) URL or the timeout is not a positive number.
  public init(environment: [String: String]) throws(ChatError) {
    func value(_ name: String) -> String? {
      let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
      return text.isEmpty ? nil : text
    }
    let baseText = value(Self.baseURLVariable)
    var baseURL = Self.defaultBaseURL
    if let baseText {
      guard let url = URL(string: baseText), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
        url.host != nil
      else {
        throw ChatError(
          code: .invalidConfiguration, endpoint: "",
          message: "\(Self.baseURLVariable) is not an http(s) URL: "
            + "set it to the API's base, e.g. https://api.openai.com/v1")
      }
      baseURL = url
    }
    guard let apiKey = value(Self.apiKeyVariable) else {
      throw ChatError(code: .missingAPIKey, endpoint: Self.withoutCredentials(baseURL))
    }
    var timeout = Self.defaultTimeout
    if let text = value(Self.timeoutVariable) {
      guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
        throw ChatError(
          code: .invalidConfiguration, endpoint: Self.withoutCredentials(baseURL),
          message: "\(Self.timeoutVariable) '\(text)' is not a positive number of seconds: set it to e.g. 30")
      }
      timeout = .milliseconds(Int64((seconds * 1000).rounded()))
    }
    self.init(baseURL: baseURL, apiKey: apiKey, model: value(Self.modelVariable) ?? Self.defaultModel, timeout: timeout)
  }
}
