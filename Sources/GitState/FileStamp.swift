#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `stat` data that changes whenever a file is replaced or written: device, inode, size,
/// and modification and change times to the nanosecond.
///
/// Two equal stamps of one path mean the same file with the same content, short of someone
/// resetting the clock: writing sets the change time, which no user can set back. Used to pin
/// the index file a status record was made from, and for the index's own time stamp in git's
/// racy-entry rule.
struct FileStamp: Sendable, Hashable {
  var device: UInt64
  var inode: UInt64
  var size: Int64
  var modifiedSeconds: Int64
  var modifiedNanoseconds: Int64
  var changedSeconds: Int64
  var changedNanoseconds: Int64

  init(
    device: UInt64, inode: UInt64, size: Int64, modifiedSeconds: Int64, modifiedNanoseconds: Int64,
    changedSeconds: Int64, changedNanoseconds: Int64
  ) {
    self.device = device
    self.inode = inode
    self.size = size
    self.modifiedSeconds = modifiedSeconds
    self.modifiedNanoseconds = modifiedNanoseconds
    self.changedSeconds = changedSeconds
    self.changedNanoseconds = changedNanoseconds
  }

  init(_ info: stat) {
    #if canImport(Darwin)
    let modified = info.st_mtimespec
    let changed = info.st_ctimespec
    #else
    let modified = info.st_mtim
    let changed = info.st_ctim
    #endif
    self.init(
      device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino),
      size: Int64(info.st_size), modifiedSeconds: Int64(modified.tv_sec), modifiedNanoseconds: Int64(modified.tv_nsec),
      changedSeconds: Int64(changed.tv_sec), changedNanoseconds: Int64(changed.tv_nsec))
  }

  /// The fields as decimal numbers separated by spaces, for a text record.
  var text: String {
    [
      String(device), String(inode), String(size), String(modifiedSeconds), String(modifiedNanoseconds),
      String(changedSeconds), String(changedNanoseconds),
    ].joined(separator: " ")
  }

  /// Parses ``text``.
  init?<Fields: Collection>(fields: Fields) where Fields.Element: StringProtocol {
    guard fields.count == 7 else { return nil }
    let values = Array(fields)
    guard let device = UInt64(values[0]), let inode = UInt64(values[1]), let size = Int64(values[2]),
      let modifiedSeconds = Int64(values[3]), let modifiedNanoseconds = Int64(values[4]),
      let changedSeconds = Int64(values[5]), let changedNanoseconds = Int64(values[6])
    else { return nil }
    self.init(
      device: device, inode: inode, size: size, modifiedSeconds: modifiedSeconds,
      modifiedNanoseconds: modifiedNanoseconds, changedSeconds: changedSeconds, changedNanoseconds: changedNanoseconds)
  }
}
