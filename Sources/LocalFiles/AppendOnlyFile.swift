import CFileSpace

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that writers only append to, without a lock (a shell's `>>`, ``PrivateFiles/append(_:to:)``),
/// and that one reader consumes from an offset it records.
///
/// The file is never replaced or truncated: a writer that opened it a moment ago, and writes
/// after the reader finished, still appends to the one file the reader reads, at its end. The
/// space of the consumed prefix is given back by punching a hole over it (Linux's
/// `fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)`): offsets, the size and the inode do
/// not change, the prefix reads as zeroes, and no disk block stays allocated to it.
///
/// # Usage
/// ```swift
/// let file = AppendOnlyFile(path: stateDirectory + "/journal")
/// if let tail = try file.read(from: deliveredOffset) {
///   deliver(tail.bytes)
///   try file.discard(before: deliveredOffset + tail.bytes.count)
/// }
/// ```
package struct AppendOnlyFile: Sendable {
  /// The file.
  package let path: String

  package init(path: String) {
    self.path = path
  }

  /// What ``read(from:)`` found.
  package struct Tail: Sendable {
    /// The bytes from the offset read from to the end of the file.
    package var bytes: [UInt8]
    /// Where they start.
    package var offset: Int
  }

  /// The file's bytes from `offset` to its end, or `nil` when the file does not exist. An
  /// offset past the end (the file was removed and made anew) reads the file from its first
  /// line that is not in a punched hole.
  package func read(from offset: Int) throws(LocalFileError) -> Tail? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      if errno == ENOENT { return nil }
      throw LocalFileError(path: path, operation: "open", errno: errno)
    }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw LocalFileError(path: path, operation: "inspect", errno: errno) }
    let size = Int(info.st_size)
    var start = offset
    if start < 0 || start > size {
      start = Self.firstData(descriptor, size: size)
    }
    var bytes = [UInt8](repeating: 0, count: size - start)
    var done = 0
    while done < bytes.count {
      let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, $0.count - done, off_t(start + done)) }
      if count < 0 {
        if errno == EINTR { continue }
        throw LocalFileError(path: path, operation: "read", errno: errno)
      }
      if count == 0 { break }  // cut short meanwhile (not by mlflow-git, which never truncates)
      done += count
    }
    bytes.removeLast(bytes.count - done)
    return Tail(bytes: bytes, offset: start)
  }

  /// The first byte of `descriptor` not in a punched hole; when that is inside a line of a
  /// consumed prefix, the start of the next line.
  private static func firstData(_ descriptor: Int32, size: Int) -> Int {
    let data = mlflow_git_seek_data(descriptor, 0)
    guard data > 0 else { return 0 }
    var byte: UInt8 = 0
    if pread(descriptor, &byte, 1, data - 1) == 1, byte == UInt8(ascii: "\n") { return Int(data) }
    var chunk = [UInt8](repeating: 0, count: 4096)
    var position = Int(data)
    while position < size {
      let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(position)) }
      guard count > 0 else { break }
      if let newline = chunk[..<count].firstIndex(of: UInt8(ascii: "\n")) { return position + newline + 1 }
      position += count
    }
    return Int(data)
  }

  /// Gives back the disk space of the file's bytes before `offset` (whole file system blocks
  /// only; the bytes then read as zeroes). Returns `false`, changing nothing, where the file
  /// system cannot punch holes.
  @discardableResult
  package func discard(before offset: Int) throws(LocalFileError) -> Bool {
    let descriptor = open(path, O_WRONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      if errno == ENOENT { return false }
      throw LocalFileError(path: path, operation: "open", errno: errno)
    }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw LocalFileError(path: path, operation: "inspect", errno: errno) }
    let block = max(512, Int(info.st_blksize))
    let length = min(offset, Int(info.st_size)) / block * block
    guard length > 0 else { return true }
    if mlflow_git_punch_hole(descriptor, 0, off_t(length)) != 0 {
      if errno == EOPNOTSUPP || errno == ENOSYS { return false }
      throw LocalFileError(path: path, operation: "give back the space of", errno: errno)
    }
    return true
  }

  /// The disk space the file takes, in bytes (what `du` counts), or `nil` when it does not exist.
  package var allocatedBytes: Int? {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_blocks) * 512 : nil
  }
}
