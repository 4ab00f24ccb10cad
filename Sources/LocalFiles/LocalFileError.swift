#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A local state file or lock could not be read, written or locked.
package struct LocalFileError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The file or directory concerned.
  package let path: String
  /// What was being done, e.g. `"create"`, `"lock"`, `"write"`.
  package let operation: String
  /// The system error number.
  package let errno: Int32

  package init(path: String, operation: String, errno: Int32) {
    self.path = path
    self.operation = operation
    self.errno = errno
  }

  package var description: String {
    let reason = String(cString: strerror(errno))
    let advice = errno == EACCES || errno == EPERM || errno == EROFS
      ? "; check that you own it and its folder is writable" : ""
    return "could not \(operation) '\(path)': \(reason)\(advice)"
  }
}
