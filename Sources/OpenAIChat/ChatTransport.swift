import HTTPClient

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one place the chat client touches the network: a JSON `POST` with a deadline, through
/// the package's libcurl transport (`HTTPClient`, shared with the MLflow server store: reused
/// connections, millisecond deadlines, cancellation). Everything above it sees only ``Reply``
/// and ``Failure``.
struct ChatTransport: Sendable {
  /// One HTTP answer.
  struct Reply: Sendable {
    let status: Int
    /// Header values by lowercased name.
    let headers: [String: String]
    let body: Data
  }

  /// Why no HTTP answer came back.
  enum Failure: Error, Sendable {
    /// No connection was made (refused, unknown host, TLS refused, no network).
    case notConnected(String)
    /// No complete answer before the deadline.
    case timedOut
    /// The connection broke or the answer was not HTTP.
    case interrupted(String)
  }

  /// Posts `body` as JSON to `url` with `headers` and waits at most `timeout` for the whole
  /// answer.
  func postJSON(_ url: URL, headers: [String: String], body: Data, timeout: Duration) async -> Result<Reply, Failure> {
    let request = HTTPRequest(
      method: "POST", url: url.absoluteString,
      headers: [("Content-Type", "application/json"), ("Accept", "application/json")] + headers.map { ($0.key, $0.value) },
      body: Array(body), timeout: timeout)
    switch await HTTPTransport.shared.send(request) {
    case .success(let response):
      return .success(Reply(status: response.status, headers: response.headers, body: Data(response.body)))
    case .failure(.notConnected(let detail)): return .failure(.notConnected(detail))
    case .failure(.timedOut): return .failure(.timedOut)
    case .failure(.interrupted(let detail)): return .failure(.interrupted(detail))
    case .failure(.tls(let problem)): return .failure(.notConnected("TLS: \(problem)"))
    case .failure(.cannotSend(let detail)): return .failure(.notConnected(detail))
    }
  }
}
