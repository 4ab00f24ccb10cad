import ChildProcess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system reads Git state needs, done with plain system calls: reading HEAD and a
/// ref this way takes microseconds, where spawning `git` takes milliseconds.
enum FileSystem {
  /// The whole content of a regular file, or `nil` when it does not exist or cannot be read.
  static func contents(of path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
    var total = 0
    while true {
      if total == bytes.count { bytes.append(contentsOf: repeatElement(0, count: 4096)) }
      let count = bytes.withUnsafeMutableBytes { buffer in
        read(fd, buffer.baseAddress! + total, buffer.count - total)
      }
      if count < 0 {
        if errno == EINTR { continue }
        return nil
      }
      if count == 0 { break }
      total += count
    }
    bytes.removeSubrange(total...)
    return bytes
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
  static func absolute(_ path: String, relativeTo base: String) -> String {
    let joined = path.hasPrefix("/") ? path : base + "/" + path
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

  /// The parent directory of an absolute path; `/` is its own parent.
  static func parent(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
  }
}
