import CCurl
import Dispatch
import Synchronization

/// Runs every transfer of one ``HTTPTransport`` through one libcurl multi handle, on a
/// dedicated serial queue (never on Swift's cooperative pool): it waits in `curl_multi_poll`,
/// which wakes for sockets, libcurl's timers (the per-request timeouts), new submissions and
/// cancellations (`curl_multi_wakeup`). The multi handle keeps connections (and TLS sessions and
/// the CA store) for reuse; finished easy handles go back to a small pool.
///
/// The queue runs only while there is work: it leaves the loop when the last transfer ends and
/// is started again by the next ``submit(_:)``.
final class TransferLoop: Sendable {
  private struct State {
    var pending: [Submission] = []
    var running = false
  }

  /// What only the loop touches, on its queue, one run at a time.
  private final class Resources: @unchecked Sendable {
    var active: [UnsafeMutableRawPointer: Transfer] = [:]
    var idleHandles: [UnsafeMutableRawPointer] = []
  }

  /// At most this many finished easy handles are kept for reuse.
  private static let maxIdleHandles = 16

  private let curl: CurlLibrary
  /// The multi handle (`CURLM *`): used on the queue, except for `curl_multi_wakeup`, which
  /// libcurl allows from any thread.
  nonisolated(unsafe) private let multi: UnsafeMutableRawPointer
  private let state = Mutex(State())
  private let resources = Resources()
  private let queue = DispatchQueue(label: "mlflow-git.http-transfers")

  init(curl: CurlLibrary) throws(TransportFailure) {
    guard let multi = curl.api.pointee.multi_init() else {
      throw .cannotSend("libcurl could not create a multi handle (out of memory?)")
    }
    self.curl = curl
    self.multi = multi
  }

  deinit {
    // No run is going (it keeps the loop alive), so nothing else uses the handles.
    for handle in resources.idleHandles { curl.api.pointee.easy_cleanup(handle) }
    _ = curl.api.pointee.multi_cleanup(multi)
  }

  /// Queues `submission`; its continuation is resumed from the loop's queue.
  func submit(_ submission: Submission) {
    let start = state.withLock { state -> Bool in
      state.pending.append(submission)
      defer { state.running = true }
      return !state.running
    }
    if start {
      queue.async { self.run() }
    } else {
      wake()
    }
  }

  /// Makes the loop look at new submissions and cancellations now.
  func wake() { _ = curl.api.pointee.multi_wakeup(multi) }

  private func run() {
    let api = curl.api
    while true {
      let submissions = state.withLock { state -> [Submission]? in
        if state.pending.isEmpty, resources.active.isEmpty {
          state.running = false
          return nil
        }
        defer { state.pending = [] }
        return state.pending
      }
      guard let submissions else { return }
      for submission in submissions { start(submission) }
      abandonCancelled()
      var running: Int32 = 0
      _ = api.pointee.multi_perform(multi, &running)
      finishCompleted()
      if !resources.active.isEmpty {
        var ready: Int32 = 0
        _ = api.pointee.multi_poll(multi, nil, 0, 1000, &ready)
      }
    }
  }

  private func start(_ submission: Submission) {
    if submission.cancellation.isRaised {
      submission.continuation.resume(returning: .failure(.interrupted("the request was cancelled")))
      return
    }
    guard let handle = resources.idleHandles.popLast() ?? curl.api.pointee.easy_init() else {
      submission.continuation.resume(returning: .failure(.cannotSend("libcurl could not create a handle (out of memory?)")))
      return
    }
    let transfer = Transfer(submission, handle: handle, curl: curl)
    if let failure = transfer.configure() {
      recycle(handle)
      submission.continuation.resume(returning: .failure(failure))
      return
    }
    let added = curl.api.pointee.multi_add_handle(multi, handle)
    guard added == CURLM_OK else {
      recycle(handle)
      submission.continuation.resume(returning: .failure(.cannotSend("libcurl could not start the transfer (\(added.rawValue))")))
      return
    }
    resources.active[handle] = transfer
  }

  /// Drops the transfers whose callers were cancelled; libcurl closes their connections.
  private func abandonCancelled() {
    for (handle, transfer) in resources.active where transfer.submission.cancellation.isRaised {
      _ = curl.api.pointee.multi_remove_handle(multi, handle)
      resources.active[handle] = nil
      recycle(handle)
      transfer.submission.continuation.resume(returning: .failure(.interrupted("the request was cancelled")))
    }
  }

  private func finishCompleted() {
    var queued: Int32 = 0
    while let message = curl.api.pointee.multi_info_read(multi, &queued) {
      guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
        let transfer = resources.active.removeValue(forKey: handle)
      else { continue }
      let result = transfer.result(ccurl_message_result(message))
      _ = curl.api.pointee.multi_remove_handle(multi, handle)
      recycle(handle)
      transfer.submission.continuation.resume(returning: result)
    }
  }

  /// Resets `handle` for the next transfer (keeping its TLS session cache), or frees it.
  private func recycle(_ handle: UnsafeMutableRawPointer) {
    if resources.idleHandles.count < Self.maxIdleHandles {
      curl.api.pointee.easy_reset(handle)
      resources.idleHandles.append(handle)
    } else {
      curl.api.pointee.easy_cleanup(handle)
    }
  }
}
