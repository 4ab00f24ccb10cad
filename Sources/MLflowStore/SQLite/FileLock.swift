#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock(2)` lock on a private lock file, held while a closure runs.
///
/// `flock` locks belong to the open file description, so the lock excludes other threads of
/// this process as well as other processes, and the kernel releases it if the holder dies.
enum FileLock {
  /// Runs `body` while holding the exclusive lock on `path` (created with mode 0600 if
  /// missing). Blocks until the lock is free.
  static func withExclusiveLock<T>(
    at path: String,
    _ body: () throws(MLflowStoreError) -> T
  ) throws(MLflowStoreError) -> T {
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw MLflowStoreError(
        code: .storeNotCreated,
        message: "could not create the lock file '\(path)': \(String(cString: strerror(errno))); "
          + "make its directory writable")
    }
    defer { close(descriptor) }
    while flock(descriptor, LOCK_EX) != 0 {
      guard errno == EINTR else {
        throw MLflowStoreError(
          code: .storeNotCreated,
          message: "could not lock '\(path)': \(String(cString: strerror(errno)))")
      }
    }
    defer { flock(descriptor, LOCK_UN) }
    return try body()
  }
}
