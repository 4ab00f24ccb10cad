import Dispatch
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The one place the chat client touches the network: a JSON `POST` with a deadline, over
/// `URLSession` (FoundationNetworking on Linux). Everything above it sees only ``Reply`` and
/// ``Failure``, so another HTTP implementation can replace this file alone.
///
/// FoundationNetworking truncates `timeoutInterval` to whole seconds, so a timer cancels the
/// transfer at the deadline; and it would leave a `401` carrying `WWW-Authenticate` unanswered
/// while it looks for a credential, so the delegate refuses challenges and the `401` comes
/// back as an answer.
final class ChatTransport: Sendable {
  /// One HTTP answer.
  struct Reply: Sendable {
    let status: Int
    /// Header values by lowercased name.
    let headers: [String: String]
    let body: Data
  }

  /// Why no HTTP answer came back.
  enum Failure: Error, Sendable {
    /// No connection was made (refused, unknown host, no network).
    case notConnected(String)
    /// No complete answer before the deadline.
    case timedOut
    /// The connection broke or the answer was not HTTP.
    case interrupted(String)
  }

  private let session: URLSession
  private let delegate: TransferDelegate

  init() {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpShouldSetCookies = false
    configuration.urlCache = nil
    configuration.urlCredentialStorage = nil
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    delegate = TransferDelegate()
    session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
  }

  deinit { session.invalidateAndCancel() }

  /// Posts `body` as JSON to `url` with `headers` and waits at most `timeout` for the whole
  /// answer.
  func postJSON(_ url: URL, headers: [String: String], body: Data, timeout: Duration) async -> Result<Reply, Failure> {
    var request = URLRequest(url: url)
    request.httpMethod = "POST"
    request.httpBody = body
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    request.setValue("application/json", forHTTPHeaderField: "Accept")
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    request.timeoutInterval = seconds.rounded(.up) + 1  // a backstop; the timer below is the limit
    let task = session.dataTask(with: request)
    return await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        delegate.begin(task, continuation: continuation)
        task.resume()
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [delegate] in
          if delegate.expire(task) { task.cancel() }
        }
      }
    } onCancel: {
      task.cancel()
    }
  }
}

/// Collects each transfer's body and turns its end into a ``ChatTransport/Reply`` or a
/// ``ChatTransport/Failure``.
private final class TransferDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
  typealias Outcome = Result<ChatTransport.Reply, ChatTransport.Failure>

  private struct Transfer {
    var continuation: CheckedContinuation<Outcome, Never>
    var body = Data()
    var timedOut = false
    var challenged: HTTPURLResponse?
  }

  private let transfers = Mutex<[Int: Transfer]>([:])

  func begin(_ task: URLSessionTask, continuation: CheckedContinuation<Outcome, Never>) {
    transfers.withLock { $0[task.taskIdentifier] = Transfer(continuation: continuation) }
  }

  /// Marks the transfer timed out; `true` when it was still running (then cancel it).
  func expire(_ task: URLSessionTask) -> Bool {
    transfers.withLock { transfers in
      guard transfers[task.taskIdentifier] != nil else { return false }
      transfers[task.taskIdentifier]?.timedOut = true
      return true
    }
  }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
    transfers.withLock { $0[dataTask.taskIdentifier]?.body.append(data) }
  }

  func urlSession(
    _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
    completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
  ) {
    let response = challenge.failureResponse as? HTTPURLResponse
    transfers.withLock { $0[task.taskIdentifier]?.challenged = response }
    completionHandler(.cancelAuthenticationChallenge, nil)
  }

  func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
    guard let transfer = transfers.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
    transfer.continuation.resume(returning: Self.outcome(transfer, response: task.response, error: error))
  }

  private static func outcome(_ transfer: Transfer, response: URLResponse?, error: (any Error)?) -> Outcome {
    if let challenged = transfer.challenged {
      return .success(.init(status: challenged.statusCode, headers: headers(of: challenged), body: transfer.body))
    }
    if transfer.timedOut { return .failure(.timedOut) }
    if let error {
      switch (error as? URLError)?.code {
      case .cannotConnectToHost?, .cannotFindHost?, .dnsLookupFailed?, .notConnectedToInternet?:
        return .failure(.notConnected(error.localizedDescription))
      case .timedOut?:
        return .failure(.timedOut)
      default:
        return .failure(.interrupted(error.localizedDescription))
      }
    }
    guard let http = response as? HTTPURLResponse else { return .failure(.interrupted("the answer was not HTTP")) }
    return .success(.init(status: http.statusCode, headers: headers(of: http), body: transfer.body))
  }

  private static func headers(of response: HTTPURLResponse) -> [String: String] {
    var headers: [String: String] = [:]
    for (name, value) in response.allHeaderFields {
      if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
    }
    return headers
  }
}
