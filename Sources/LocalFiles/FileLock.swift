#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock(2)` lock on a private lock file.
///
/// `flock` locks belong to the open file description: the lock excludes other threads of this
/// process (each holder opens the file anew) as well as other processes, and the kernel
/// releases it when its holder exits or is killed, so a crash never leaves a stale lock.
///
/// Async code waits with ``acquire(at:waitingAtMost:)``, which polls without blocking its
/// thread: a blocking `flock` would hold one of the few threads of Swift's cooperative pool for
/// as long as another process keeps the lock.
///
/// # Usage
/// ```swift
/// guard let lock = try await FileLock.acquire(at: stateDirectory + "/register.lock", waitingAtMost: .milliseconds(50))
/// else { return keepForLater() }
/// defer { lock.release() }
/// if let worker = try FileLock.tryAcquire(at: workerLockPath) {
///   defer { worker.release() }
///   drainJournal()
/// }
/// ```
package final class FileLock: Sendable {
  private let descriptor: Int32
  /// The lock file.
  package let path: String

  private init(descriptor: Int32, path: String) {
    self.descriptor = descriptor
    self.path = path
  }

  /// Takes the lock at `path` (creating the file with mode 0600 if missing), waiting for it
  /// with a blocking `flock`: for synchronous code that owns its thread. Async code uses
  /// ``acquire(at:waitingAtMost:)``.
  package static func acquire(at path: String) throws(LocalFileError) -> FileLock {
    try lock(path, waiting: true)!
  }

  /// Takes the lock at `path` (creating the file with mode 0600 if missing), waiting for it at
  /// most `limit` (`nil`: as long as it takes) without blocking the calling thread: it tries
  /// every millisecond at first, then less often, up to every 20 ms. Returns `nil` when the
  /// lock was still taken when the time was up.
  package static func acquire(at path: String, waitingAtMost limit: Duration?) async throws(LocalFileError) -> FileLock? {
    let clock = ContinuousClock()
    let deadline = limit.map { clock.now + $0 }
    var pause = Duration.milliseconds(1)
    while true {
      if let lock = try lock(path, waiting: false) { return lock }
      if let deadline {
        let left = deadline - clock.now
        if left <= .zero { return nil }
        pause = min(pause, left)
      }
      do {
        try await Task.sleep(for: pause)
      } catch {
        return nil  // cancelled
      }
      pause = min(pause * 2, .milliseconds(20))
    }
  }

  /// Takes the lock at `path` if it is free; `nil` when another holder has it.
  package static func tryAcquire(at path: String) throws(LocalFileError) -> FileLock? {
    try lock(path, waiting: false)
  }

  private static func lock(_ path: String, waiting: Bool) throws(LocalFileError) -> FileLock? {
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw LocalFileError(path: path, operation: "create the lock file", errno: errno) }
    while flock(descriptor, LOCK_EX | (waiting ? 0 : LOCK_NB)) != 0 {
      let failure = errno
      if failure == EINTR { continue }
      close(descriptor)
      if failure == EWOULDBLOCK { return nil }
      throw LocalFileError(path: path, operation: "lock", errno: failure)
    }
    return FileLock(descriptor: descriptor, path: path)
  }

  /// Releases the lock. Also done when the value is deallocated or the process exits.
  package func release() {
    flock(descriptor, LOCK_UN)
  }

  deinit {
    close(descriptor)
  }
}
