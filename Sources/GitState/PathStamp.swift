#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A work-tree file's whole `lstat` stamp: its ``FileStamp`` (device, inode, size, modification
/// and change times to the nanosecond) and its mode (type and permission bits).
///
/// Two equal stamps of one path mean the same file with the same content and mode, as long as
/// its times are not within the file system's clock tick of when the stamp was taken (see
/// ``RecordedDiff``'s racy rule).
struct PathStamp: Sendable, Hashable {
  var file: FileStamp
  /// `st_mode`: file type and permission bits.
  var mode: UInt32

  init(file: FileStamp, mode: UInt32) {
    self.file = file
    self.mode = mode
  }

  init(_ info: stat) {
    self.init(file: FileStamp(info), mode: UInt32(info.st_mode))
  }

  /// The stamp of `path` (`lstat`, or `stat` when `following` links), `.some(nil)` when nothing
  /// is there, `nil` when it cannot be told (permissions, I/O error).
  static func of(_ path: String, following: Bool = false) -> PathStamp?? {
    var info = stat()
    guard (following ? stat(path, &info) : lstat(path, &info)) == 0 else {
      return errno == ENOENT || errno == ENOTDIR ? .some(nil) : nil
    }
    return .some(PathStamp(info))
  }

  /// The eight fields as decimal numbers separated by spaces, or `missing`, for a text record.
  static func text(_ stamp: PathStamp?) -> String {
    guard let stamp else { return "missing" }
    return stamp.file.text + " " + String(stamp.mode)
  }

  /// Parses ``text(_:)``: `.some(nil)` for `missing`, `nil` when the fields are not a stamp.
  static func parse<Fields: Collection>(fields: Fields) -> PathStamp?? where Fields.Element: StringProtocol {
    if fields.count == 1, fields.first == "missing" { return .some(nil) }
    guard fields.count == 8, let file = FileStamp(fields: fields.prefix(7)), let mode = UInt32(fields.dropFirst(7).first!)
    else { return nil }
    return .some(PathStamp(file: file, mode: mode))
  }
}
