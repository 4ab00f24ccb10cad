import ChildProcess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system reads Git state needs, done with plain system calls: reading HEAD and a
/// ref this way takes microseconds, where spawning `git` takes milliseconds.
enum FileSystem {
  /// What reading a file found.
  enum ReadResult {
    case contents([UInt8])
    case missing
    /// A directory or something else that is not a regular file.
    case notAFile
    /// It exists but could not be read (permissions, I/O error).
    case unreadable
  }

  /// Reads a whole regular file in as few system calls as possible: a small file (HEAD, a
  /// ref) costs `open`, one `read` and `close`; a larger one adds an `fstat` for its size.
  static func read(_ path: String) -> ReadResult {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable }
    defer { close(fd) }
    var capacity = 4096
    var bytes: [UInt8] = []
    while true {
      var failure: Int32 = 0
      var reachedEnd = false
      let previous = bytes.count
      bytes.reserveCapacity(capacity)
      bytes.append(contentsOf: repeatElement(0, count: capacity - previous))
      let filled = bytes.withUnsafeMutableBytes { buffer -> Int in
        var total = previous
        while total < capacity {
          let count = Glibc.read(fd, buffer.baseAddress! + total, capacity - total)
          if count < 0 && errno == EINTR { continue }
          if count < 0 { failure = errno; break }
          if count == 0 { reachedEnd = true; break }
          total += count
          // A short read of a regular file means its end was reached.
          if total < capacity { reachedEnd = true; break }
        }
        return total
      }
      bytes.removeSubrange(filled...)
      if failure == EISDIR { return .notAFile }
      if failure != 0 { return .unreadable }
      if reachedEnd { return .contents(bytes) }
      var info = stat()
      guard fstat(fd, &info) == 0 else { return .unreadable }
      guard (info.st_mode & S_IFMT) == S_IFREG else { return .notAFile }
      capacity = max(Int(info.st_size) + 1, capacity * 2)
    }
  }

  /// The whole content of a regular file, or `nil` when it does not exist or cannot be read.
  static func contents(of path: String) -> [UInt8]? {
    if case .contents(let bytes) = read(path) { return bytes }
    return nil
  }

  /// A file's content as text with surrounding white space trimmed, or `nil`.
  static func trimmedText(of path: String) -> String? {
    contents(of: path).map { String(decoding: $0, as: UTF8.self).trimmingWhitespace() }
  }

  enum Kind { case missing, file, directory, other }

  static func kind(of path: String) -> Kind {
    var info = stat()
    guard stat(path, &info) == 0 else { return .missing }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .directory
    default: return .other
    }
  }

  static func isDirectory(_ path: String) -> Bool { kind(of: path) == .directory }
  static func exists(_ path: String) -> Bool { kind(of: path) != .missing }

  /// The canonical absolute path (symbolic links resolved), or `nil` when it does not exist.
  static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  static func currentDirectory() -> String {
    guard let cwd = getcwd(nil, 0) else { return "/" }
    defer { free(cwd) }
    return String(cString: cwd)
  }

  /// `path` made absolute against `base` when it is relative, with `.` and `..` folded.
  static func absolute(_ path: String, relativeTo base: @autoclosure () -> String) -> String {
    if path.hasPrefix("/") && isNormalized(path) { return path }
    let joined = path.hasPrefix("/") ? path : base() + "/" + path
    var parts: [Substring] = []
    for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
      switch part {
      case ".": continue
      case "..": if !parts.isEmpty { parts.removeLast() }
      default: parts.append(part)
      }
    }
    return "/" + parts.joined(separator: "/")
  }

  /// `true` when `path` is absolute with no `.` or `..` component, no `//` and no trailing `/`.
  static func isNormalized(_ path: String) -> Bool {
    guard path.hasPrefix("/") else { return false }
    if path == "/" { return true }
    let dot = UInt8(ascii: ".")
    for component in path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
      if component.isEmpty || component.elementsEqual([dot]) || component.elementsEqual([dot, dot]) { return false }
    }
    return true
  }

  /// The parent directory of an absolute path; `/` is its own parent.
  static func parent(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
  }
}
