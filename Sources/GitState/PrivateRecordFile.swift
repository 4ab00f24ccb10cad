#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the small private files the in-process checks keep in their records folder (see
/// ``GitRepository/recordsFolder``).
enum PrivateRecordFile {
  /// Replaces `<directory>/<name>` with `bytes` atomically (a 0600 temporary file renamed over
  /// it), creating the 0700 folder `directory` (not its parents) when missing. Never fails the
  /// caller: a record that cannot be written only means the next check does the slow thing again.
  @discardableResult
  static func save(_ bytes: [UInt8], named name: String, in directory: String) -> Bool {
    if mkdir(directory, 0o700) == 0 {
      chmod(directory, 0o700)
    } else if errno != EEXIST {
      return false
    }
    let temporary = directory + "/.\(name).\(getpid()).\(UInt64.random(in: 0 ... .max))"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return false }
    var written = 0
    while written < bytes.count {
      let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { break }
      written += count
    }
    let complete = fchmod(descriptor, 0o600) == 0 && written == bytes.count
    close(descriptor)
    guard complete, rename(temporary, directory + "/" + name) == 0 else {
      unlink(temporary)
      return false
    }
    return true
  }
}
