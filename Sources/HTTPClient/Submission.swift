import Synchronization

/// A request handed to the ``TransferLoop``: what to send, the continuation its caller waits on
/// (resumed exactly once, by the loop), and the flag the caller's task cancellation raises.
final class Submission: Sendable {
  let request: HTTPRequest
  let continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>
  let cancellation: CancellationFlag

  init(
    _ request: HTTPRequest, continuation: CheckedContinuation<Result<HTTPResponse, TransportFailure>, Never>,
    cancellation: CancellationFlag
  ) {
    self.request = request
    self.continuation = continuation
    self.cancellation = cancellation
  }
}

/// Raised once when the task waiting on a request is cancelled; read by the loop, which then
/// abandons the transfer (closing its connection) and reports it as interrupted.
final class CancellationFlag: Sendable {
  private let raised = Atomic<Bool>(false)

  init() {}

  func raise() { raised.store(true, ordering: .releasing) }

  var isRaised: Bool { raised.load(ordering: .acquiring) }
}
