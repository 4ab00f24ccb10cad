import Synchronization

/// Sends HTTP requests with libcurl: connections are reused, each request's timeout holds to the
/// millisecond, TLS can use a private CA, no verification or a client certificate, and a
/// cancelled task abandons its request at once. The blocking work runs on a dedicated queue,
/// never on Swift's cooperative pool. libcurl is loaded on the first request, not at start-up.
///
/// # Usage
/// ```swift
/// let answer = await HTTPTransport.shared.send(
///   HTTPRequest(method: "GET", url: serverURL + "/health", timeout: .seconds(5)))
/// switch answer {
/// case .success(let response): print(response.status, String(decoding: response.body, as: UTF8.self))
/// case .failure(.notConnected(let reason)): print("nothing is listening:", reason)
/// case .failure(let failure): print(failure)
/// }
/// ```
package final class HTTPTransport: Sendable {
  /// One transport for the process: all its clients share the connections.
  package static let shared = HTTPTransport()

  /// Created on the first request, so that making a transport never loads libcurl.
  private let loop = Mutex<Result<TransferLoop, TransportFailure>?>(nil)

  /// A transport with its own connections.
  package init() {}

  /// Sends `request` and waits at most `request.timeout` for the whole answer. Any HTTP status
  /// is a success here; a failure says whether the server can have seen the request.
  package func send(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportFailure> {
    let loop: TransferLoop
    switch transferLoop() {
    case .success(let running): loop = running
    case .failure(let failure): return .failure(failure)
    }
    let cancellation = CancellationFlag()
    return await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        loop.submit(Submission(request, continuation: continuation, cancellation: cancellation))
      }
    } onCancel: {
      cancellation.raise()
      loop.wake()
    }
  }

  private func transferLoop() -> Result<TransferLoop, TransportFailure> {
    loop.withLock { loop in
      if let loop { return loop }
      let made = CurlLibrary.shared.flatMap { curl in Result { () throws(TransportFailure) in try TransferLoop(curl: curl) } }
      loop = made
      return made
    }
  }
}
