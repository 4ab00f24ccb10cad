import FoundationEssentials
import HTTPClient

/// When and how long to wait before trying a request again, as MLflow's Python client
/// (urllib3's `Retry`) does.
struct RetryPolicy: Sendable {
  /// The statuses MLflow treats as transient.
  static let transientStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]
  /// The statuses a creation is retried on: the server refused it before doing anything.
  static let notProcessedStatuses: Set<Int> = [408, 429]
  /// The statuses whose `Retry-After` header is honoured (urllib3's list, minus 413, which is
  /// not retried).
  static let retryAfterStatuses: Set<Int> = [429, 503]

  let maxRetries: Int
  let unreachableRetries: Int
  let backoffFactor: Double
  let backoffJitter: Double
  let respectRetryAfter: Bool

  init(_ configuration: RESTTrackingStore.Configuration) {
    maxRetries = configuration.maxRetries
    unreachableRetries = min(configuration.maxRetries, configuration.unreachableRetries)
    backoffFactor = configuration.backoffFactor
    backoffJitter = configuration.backoffJitter
    respectRetryAfter = configuration.respectRetryAfter
  }

  /// Whether an answer with `status` is tried again. A request that may create something is
  /// retried only when the server says it did not process it.
  func retries(status: Int, idempotent: Bool) -> Bool {
    idempotent ? Self.transientStatuses.contains(status) : Self.notProcessedStatuses.contains(status)
  }

  /// Whether a request that got no answer is tried again after `retries` retries: when it
  /// never reached the server, up to ``unreachableRetries`` times; otherwise only when
  /// repeating it cannot create anything twice; never after a TLS failure or a request that
  /// cannot be sent, which another try cannot fix.
  func retries(_ failure: TransportFailure, idempotent: Bool, after retries: Int) -> Bool {
    switch failure {
    case .notConnected: retries < unreachableRetries
    case .timedOut, .interrupted: retries < maxRetries && idempotent
    case .tls, .cannotSend: false
    }
  }

  /// How long to wait before retry number `retry` (1 for the first), given the answer that
  /// failed (if any): its `Retry-After` when honoured, else urllib3's exponential backoff — no
  /// wait before the first retry, then `factor · 2^(retry-1)` plus jitter, at most 120 s.
  func delay(beforeRetry retry: Int, after response: HTTPResponse?, now: Date = Date()) -> Duration {
    if respectRetryAfter, let response, Self.retryAfterStatuses.contains(response.status),
      let header = response.headers["retry-after"], let seconds = Self.retryAfterSeconds(header, now: now)
    {
      return Self.duration(seconds: min(seconds, RESTTrackingStore.Configuration.backoffLimit))
    }
    guard retry > 1 else { return .zero }
    var seconds = backoffFactor * Double(1 << min(retry - 1, 62))
    if backoffJitter > 0 { seconds += Double.random(in: 0..<backoffJitter) }
    return Self.duration(seconds: min(max(0, seconds), RESTTrackingStore.Configuration.backoffLimit))
  }

  /// A `Retry-After` value in seconds: a number of seconds, or an HTTP date
  /// (`Sun, 06 Nov 1994 08:49:37 GMT`) relative to `now`.
  static func retryAfterSeconds(_ header: String, now: Date) -> Double? {
    let text = header.trimmed()
    if let seconds = Double(text), seconds.isFinite { return max(0, seconds) }
    guard let date = ProtoTime.httpDateMilliseconds(text) else { return nil }
    return max(0, Double(date) / 1000 - now.timeIntervalSince1970)
  }

  private static func duration(seconds: Double) -> Duration {
    .milliseconds(Int64((seconds * 1000).rounded()))
  }
}
