#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ChildProcess {
  /// Runs `executable` to completion like ``run(_:arguments:environment:standardInput:outputLimit:)``,
  /// but waits on a thread of its own, so no thread of Swift's cooperative pool is blocked.
  ///
  /// The synchronous `run` blocks its caller in `poll` and `waitpid` for as long as the child
  /// runs. Called from async code, that holds one of the cooperative pool's threads (one per
  /// core), and while every one of them waits for a slow child (a Python interpreter, a build)
  /// no other task of the process makes progress. This variant starts a dedicated, detached
  /// POSIX thread that does the same spawn and wait, and suspends the calling task until that
  /// thread has the result. Use it from async code for anything that may take more than a few
  /// milliseconds; for a quick `git rev-parse`, the synchronous call is cheaper (no thread).
  ///
  /// Cancelling the calling task does not stop the child: the call returns once it has exited.
  ///
  /// # Usage
  /// ```swift
  /// let output = try await ChildProcess.runAsync(
  ///   "python3", arguments: ["-c", "import time; time.sleep(2); print('done')"])
  /// if output.succeeded { print(output.standardOutputText) }
  /// ```
  ///
  /// - Parameters: the same as ``run(_:arguments:environment:standardInput:outputLimit:)``.
  /// - Returns: The exit status and everything the child printed.
  /// - Throws: ``ChildProcessError`` when the program cannot be started or its output is too large.
  package static func runAsync(
    _ executable: String,
    arguments: [String],
    environment: [String: String]? = nil,
    standardInput: [UInt8]? = nil,
    outputLimit: Int = .max
  ) async throws(ChildProcessError) -> Output {
    try await onOwnThread { () -> Result<Output, ChildProcessError> in
      Result { () throws(ChildProcessError) -> Output in
        try run(
          executable, arguments: arguments, environment: environment, standardInput: standardInput,
          outputLimit: outputLimit)
      }
    }.get()
  }

  /// Runs the blocking `body` on a new detached POSIX thread and suspends the calling task until
  /// it returns, so no cooperative thread waits meanwhile. Should no thread be available
  /// (`pthread_create` fails), `body` runs on the calling thread instead.
  ///
  /// ```swift
  /// await ChildProcess.onOwnThread { server.stop() }   // polls for seconds
  /// ```
  package static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
      if startThread({ continuation.resume(returning: body()) }) != 0 {
        continuation.resume(returning: body())
      }
    }
  }

  /// What a waiting thread runs; owned by that thread once it has started.
  private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
  }

  /// Runs `body` on a new detached POSIX thread; returns 0, or the `pthread_create` error (then
  /// `body` never runs).
  private static func startThread(_ body: @escaping @Sendable () -> Void) -> Int32 {
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    #if canImport(Glibc)
    var thread = pthread_t()
    #else
    var thread: pthread_t? = nil
    #endif
    let status = pthread_create(
      &thread, &attributes,
      { context in
        #if canImport(Glibc)
        let context = context!
        #endif
        Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().body()
        return nil
      }, context)
    if status != 0 { Unmanaged<ThreadBody>.fromOpaque(context).release() }
    return status
  }
}
