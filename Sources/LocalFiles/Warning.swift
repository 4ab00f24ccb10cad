#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints a warning to standard error (MLflow logs the same events as warnings), unless
/// `MLFLOW_GIT_QUIET` is set.
package func warn(_ message: String) {
  if let quiet = getenv("MLFLOW_GIT_QUIET"), quiet.pointee != 0 { return }
  let line = Array("mlflow-git: warning: \(message)\n".utf8)
  _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
