import Dispatch
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP answer: status, headers (names lowercased) and body.
struct HTTPResponse: Sendable {
  let status: Int
  let headers: [String: String]
  let body: Data
}

/// Why no HTTP answer came back, and whether the server can have seen the request.
enum TransportFailure: Error, Sendable {
  /// No connection was made (refused, unknown host): the server never saw the request.
  case notConnected(String)
  /// No complete answer within the timeout: the server may have processed the request.
  case timedOut
  /// The connection broke before the whole answer arrived: the server may have processed it.
  case interrupted(String)
}

/// Sends requests with one `URLSession` (connections are reused) and enforces each request's
/// timeout to the millisecond: FoundationNetworking on Linux truncates `timeoutInterval` to
/// whole seconds, so a timer cancels the task at the deadline.
///
/// The session's delegate answers authentication challenges itself: FoundationNetworking would
/// otherwise leave a `401` with `WWW-Authenticate` hanging when it has no credential to try.
/// Credentials go in the `Authorization` header of each request instead.
final class HTTPTransport: Sendable {
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

  /// Sends `request` and waits at most `timeout` for the whole answer.
  func send(_ request: URLRequest, timeout: Duration) async -> Result<HTTPResponse, TransportFailure> {
    var request = request
    let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    // A backstop a little after the deadline; the timer below is the real limit.
    request.timeoutInterval = seconds.rounded(.up) + 1
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

/// The state of each running transfer, fed by `URLSession`'s delegate callbacks.
private final class TransferDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
  private struct Transfer {
    var continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>
    var body = Data()
    var timedOut = false
    /// The `401` answer of a refused authentication challenge.
    var challenged: HTTPURLResponse?
  }

  private let transfers = Mutex<[Int: Transfer]>([:])

  func begin(_ task: URLSessionTask, continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>) {
    transfers.withLock { $0[task.taskIdentifier] = Transfer(continuation: continuation) }
  }

  /// Marks the transfer timed out; `true` when it was still running (cancel it then).
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
    transfer.continuation.resume(returning: Self.result(transfer, response: task.response, error: error))
  }

  private static func result(
    _ transfer: Transfer, response: URLResponse?, error: (any Error)?
  ) -> Result<HTTPResponse, TransportFailure> {
    if let challenged = transfer.challenged {
      return .success(HTTPResponse(status: challenged.statusCode, headers: headers(of: challenged), body: transfer.body))
    }
    if transfer.timedOut { return .failure(.timedOut) }
    if let error {
      switch (error as? URLError)?.code {
      case .cannotConnectToHost?, .cannotFindHost?, .dnsLookupFailed?, .notConnectedToInternet?:
        return .failure(.notConnected(error.localizedDescription))
      case .timedOut?:
        return .failure(.timedOut)
      case .cancelled?:
        return .failure(.interrupted("the request was cancelled"))
      default:
        return .failure(.interrupted(error.localizedDescription))
      }
    }
    guard let http = response as? HTTPURLResponse else {
      return .failure(.interrupted("the answer was not HTTP"))
    }
    return .success(HTTPResponse(status: http.statusCode, headers: headers(of: http), body: transfer.body))
  }

  private static func headers(of response: HTTPURLResponse) -> [String: String] {
    var headers: [String: String] = [:]
    for (name, value) in response.allHeaderFields {
      if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
    }
    return headers
  }
}
