#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process could not be run to completion.
///
/// A non-zero exit status is not an error; this is thrown only when the program could not be
/// started at all, or when its output was larger than the caller allowed.
package struct ChildProcessError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What went wrong, as an extensible set of values.
  package struct Code: Sendable, Hashable, CustomStringConvertible {
    private enum Storage: Hashable { case executableNotFound, spawnFailed, outputLimitExceeded }
    private let storage: Storage

    /// The program was not found on `PATH`.
    package static let executableNotFound = Code(storage: .executableNotFound)
    /// `posix_spawn` or a pipe failed; see ``ChildProcessError/errno``.
    package static let spawnFailed = Code(storage: .spawnFailed)
    /// The program printed more than the caller's output limit and was killed.
    package static let outputLimitExceeded = Code(storage: .outputLimitExceeded)

    package var description: String {
      switch storage {
      case .executableNotFound: "executable not found"
      case .spawnFailed: "spawn failed"
      case .outputLimitExceeded: "output limit exceeded"
      }
    }
  }

  /// What went wrong.
  package let code: Code
  /// The program that was to be run.
  package let executable: String
  /// The system error number, or 0.
  package let errno: Int32

  package init(code: Code, executable: String, errno: Int32) {
    self.code = code
    self.executable = executable
    self.errno = errno
  }

  package var description: String {
    switch code {
    case .executableNotFound:
      return "'\(executable)' was not found on PATH; install it or add its folder to PATH"
    case .outputLimitExceeded:
      return "'\(executable)' printed more output than allowed and was stopped"
    default:
      let reason = String(cString: strerror(errno))
      return "could not start '\(executable)': \(reason)"
    }
  }
}
