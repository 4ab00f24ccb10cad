#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A local state file or lock could not be read, written or locked.
public struct LocalFileError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The file or directory concerned.
  public let path: String
  /// What was being done, e.g. `"create"`, `"lock"`, `"write"`.
  public let operation: String
  /// The system error number.
  public let errno: Int32

  public init(path: String, operation: String, errno: Int32) {
    self.path = path
    self.operation = operation
    self.errno = errno
  }

  public var description: String {
    let reason = String(cString: strerror(errno))
    let advice = errno == EACCES || errno == EPERM || errno == EROFS
      ? "; check that you own it and its folder is writable" : ""
    return "could not \(operation) '\(path)': \(reason)\(advice)"
  }
}
