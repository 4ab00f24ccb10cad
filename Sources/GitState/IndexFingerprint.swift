#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What identifies one index file: its stat data and its trailing checksum.
struct IndexFingerprint: Sendable, Hashable {
  var stamp: FileStamp
  /// Lowercase hex; all zeros when git wrote no checksum (`index.skipHash`).
  var checksum: String

  /// Reads the fingerprint of the index at `path` without reading the whole file.
  static func of(indexAt path: String, hashSize: Int) -> IndexFingerprint? {
    guard let (descriptor, info) = openIndex(at: path, hashSize: hashSize) else { return nil }
    defer { close(descriptor) }
    var tail = [UInt8](repeating: 0, count: hashSize)
    let count = tail.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, hashSize, off_t(info.st_size) - off_t(hashSize)) }
    guard count == hashSize else { return nil }
    return IndexFingerprint(stamp: FileStamp(info), checksum: hexString(tail))
  }

  /// Reads the whole index at `path` and its fingerprint from the same open file, or `nil`
  /// when it is missing, not a regular file or unreadable.
  static func readIndex(at path: String, hashSize: Int) -> (bytes: [UInt8], fingerprint: IndexFingerprint)? {
    guard let (descriptor, info) = openIndex(at: path, hashSize: hashSize) else { return nil }
    defer { close(descriptor) }
    let size = Int(info.st_size)
    var bytes = [UInt8](repeating: 0, count: size)
    var filled = 0
    while filled < size {
      let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, size - filled) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return nil }  // an error, or the file shrank under us
      filled += count
    }
    let checksum = hexString(bytes[(size - hashSize)...])
    return (bytes, IndexFingerprint(stamp: FileStamp(info), checksum: checksum))
  }

  /// Opens the index at `path` for reading, with its `fstat` data, when it is a regular file
  /// long enough for a header and a checksum; the caller closes the descriptor.
  private static func openIndex(at path: String, hashSize: Int) -> (descriptor: Int32, info: stat)? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    var info = stat()
    guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) >= 12 + hashSize else {
      close(descriptor)
      return nil
    }
    return (descriptor, info)
  }
}
