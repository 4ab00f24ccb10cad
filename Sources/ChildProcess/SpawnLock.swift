#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ChildProcess {
  /// Runs `body` while no other spawn through ``ChildProcess`` runs in this process.
  ///
  /// A pipe is created without close-on-exec and marked so right after (`pipe2` is not in
  /// Swift's Glibc module). A child spawned by another thread in between would inherit the pipe's
  /// write end and hold it open, so whoever reads the pipe would wait for that unrelated child to
  /// exit before seeing end of file: with a long-running child (a server), forever. ``run(_:arguments:environment:standardInput:outputLimit:)``
  /// holds this lock from its first pipe to its spawn; code that spawns with `posix_spawn`
  /// itself should spawn inside it too.
  ///
  /// # Usage
  /// ```swift
  /// let status = ChildProcess.withSpawnLock {
  ///   posix_spawn(&pid, "/bin/sh", &actions, &attributes, &arguments, &environment)
  /// }
  /// ```
  package static func withSpawnLock<Result, Failure: Error>(
    _ body: () throws(Failure) -> Result
  ) throws(Failure) -> Result {
    spawnLock.lock()
    defer { spawnLock.unlock() }
    return try body()
  }

  static let spawnLock = SpawnLock()
}

/// A process-wide POSIX mutex (the `@unchecked` is for the C mutex, which is only used through
/// `pthread_mutex_lock`/`unlock`).
final class SpawnLock: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  init() {
    mutex = .allocate(capacity: 1)
    pthread_mutex_init(mutex, nil)
  }

  func lock() { pthread_mutex_lock(mutex) }
  func unlock() { pthread_mutex_unlock(mutex) }
}
