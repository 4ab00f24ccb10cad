import MLflowTracing

public import Foundation

/// A minimal client for OpenAI-compatible chat-completions APIs (OpenAI, Azure-style proxies,
/// vLLM, Ollama, LiteLLM, …): one `POST {baseURL}/chat/completions` per call, no streaming, no
/// retries. Each call is traced as an MLflow `CHAT_MODEL` span, as Python MLflow's OpenAI
/// autolog traces it (see ``complete(messages:)``), nested in the current span.
///
/// The API key is sent as `Authorization: Bearer …` and never printed: not by the client's
/// description, nor in any ``ChatError``.
///
/// # Usage
/// ```swift
/// let client = try ChatClient(environment: ProcessInfo.processInfo.environment)  // OPENAI_API_KEY, …
/// let completion = try await client.complete(messages: [
///   .system("You are a concise support agent."),
///   .user("How do I reset my password?"),
/// ])
/// print(completion.text ?? "")
/// ```
public struct ChatClient: Sendable, CustomStringConvertible, CustomReflectable {
  /// OpenAI's API, the default base URL.
  public static let defaultBaseURL = URL(string: "https://api.openai.com/v1")!
  /// The model asked for when none is given.
  public static let defaultModel = "gpt-4o-mini"
  /// How long a call may take by default.
  public static let defaultTimeout = Duration.seconds(60)

  /// The API's base, e.g. `https://api.openai.com/v1`; calls go to `…/chat/completions`.
  public let baseURL: URL
  /// The model asked for, e.g. `gpt-4o-mini`.
  public let model: String
  /// How long one call may take, from sending to the whole answer.
  public let timeout: Duration

  private let key: APIKey
  private let transport: ChatTransport

  /// A client for the API at `baseURL` with `apiKey`.
  ///
  /// - Parameters:
  ///   - baseURL: The API's base; OpenAI's by default.
  ///   - apiKey: The key, sent as a bearer token.
  ///   - model: The model to ask for.
  ///   - timeout: How long one call may take.
  public init(
    baseURL: URL = ChatClient.defaultBaseURL, apiKey: String, model: String = ChatClient.defaultModel,
    timeout: Duration = ChatClient.defaultTimeout
  ) {
    self.baseURL = baseURL
    self.key = APIKey(value: apiKey)
    self.model = model
    self.timeout = timeout
    self.transport = ChatTransport()
  }

  /// The URL calls go to: `{baseURL}/chat/completions`.
  public var endpoint: URL {
    var base = baseURL.absoluteString
    while base.hasSuffix("/") { base.removeLast() }
    return URL(string: base + "/chat/completions") ?? baseURL
  }

  /// Asks the model to continue the conversation `messages` and returns its answer.
  ///
  /// The call is an MLflow `CHAT_MODEL` span named `Completions`, inside the current task's
  /// span (or the root of a new trace): inputs `{"model": …, "messages": […]}`, outputs the
  /// provider's response JSON, the token usage, and the attributes `mlflow.llm.model`,
  /// `mlflow.llm.provider` and `mlflow.message.format` (`openai`), so the MLflow UI shows it as
  /// a chat like a Python OpenAI call. A failed call marks the span `ERROR`.
  ///
  /// # Usage
  /// ```swift
  /// let answer = try await trace("support_agent", type: .agent, inputs: ["question": question]) { _ in
  ///   try await client.complete(messages: [.system(prompt), .user(question)]).text ?? ""
  /// }
  /// ```
  ///
  /// - Throws: ``ChatError``: the key was rejected (401), rate limit (429), provider failure
  ///   (5xx), another refusal (4xx), an answer that is not a chat completion, no connection,
  ///   or no answer within ``timeout``.
  public func complete(messages: [ChatMessage]) async throws(ChatError) -> ChatCompletion {
    let request = ChatRequest(model: model, messages: messages)
    let span = ChatSpan.start(request)
    do {
      let completion = try await send(request)
      ChatSpan.finish(span, with: completion)
      return completion
    } catch {
      ChatSpan.fail(span, with: error)
      throw error
    }
  }

  private func send(_ request: ChatRequest) async throws(ChatError) -> ChatCompletion {
    let endpoint = self.endpoint
    let shownEndpoint = Self.withoutCredentials(endpoint)
    let body: Data
    do {
      body = try JSONEncoder().encode(request)
    } catch {
      throw ChatError(
        code: .invalidConfiguration, endpoint: shownEndpoint, message: "cannot encode the request: \(error)")
    }
    let outcome = await transport.postJSON(
      endpoint, headers: ["Authorization": key.bearer], body: body, timeout: timeout)
    return try ChatReply.completion(from: outcome, endpoint: shownEndpoint, key: key, timeout: timeout)
  }

  /// `url` as text without user name, password or query (which may hold credentials).
  static func withoutCredentials(_ url: URL) -> String {
    guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "the API" }
    components.user = nil
    components.password = nil
    components.query = nil
    components.fragment = nil
    return components.string ?? "the API"
  }

  /// The base URL (without credentials), model and timeout; never the API key.
  public var description: String {
    "ChatClient(\(Self.withoutCredentials(baseURL)), model: \(model), timeout: \(timeout))"
  }

  /// What `dump` and debuggers show: the description's fields, never the API key.
  public var customMirror: Mirror {
    Mirror(
      self, children: ["baseURL": Self.withoutCredentials(baseURL), "model": model, "timeout": timeout],
      displayStyle: .struct)
  }
}
