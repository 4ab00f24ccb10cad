#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One state of an SQLite database file, read without opening the database through SQLite:
/// the file's device, inode, size, and modification and change times (one `stat`), and SQLite's
/// *file change counter* from its header.
///
/// In rollback-journal mode SQLite increments the file change counter (the 4-byte big-endian
/// integer at offset 24 of the header) when it commits a write transaction
/// (<https://www.sqlite.org/fileformat.html>, §1.3.8). So two equal stamps of one path mean
/// the same file with the same committed content: a commit changes the counter, even within
/// the file system's time stamp tick, and any other write to the file, or a file put in its
/// place, changes its times, size or inode. Reading one costs an `open`, two `stat`s, a
/// 100-byte `pread` and four `lstat`s, where opening the database through SQLite parses its
/// whole schema.
///
/// ``read(databasePath:)`` gives `nil` whenever a stamp could not vouch for that: the file
/// is missing, unreadable or not an SQLite 3 database; the database is in WAL mode, where the
/// counter is not kept per commit; a `-journal` or `-wal` file is next to it (a transaction
/// in progress, a crash to recover, or the `PERSIST`/`TRUNCATE` journal modes and exclusive
/// locking mode, which keep the journal file); or the file changed while it was read.
///
/// # Usage
/// ```swift
/// let before = SQLiteChangeStamp.read(databasePath: path)
/// let model = try await store.loggedModel(id: modelID)
/// if let before, SQLiteChangeStamp.read(databasePath: path) == before {
///   record(before.text, model)  // `model` was read from the state `before` names
/// }
/// // Later: the same stamp means the same committed content, without opening SQLite.
/// let unchanged = SQLiteChangeStamp.read(databasePath: path)?.text == recordedText
/// ```
package struct SQLiteChangeStamp: Sendable, Hashable {
  /// The device the file is on (`st_dev`).
  package let device: UInt64
  /// The file's inode number (`st_ino`).
  package let inode: UInt64
  /// The file's size in bytes.
  package let size: Int64
  /// The last modification time, in nanoseconds since the epoch.
  package let modificationTimeNanoseconds: Int64
  /// The last status change time, in nanoseconds since the epoch (no user can set it back).
  package let changeTimeNanoseconds: Int64
  /// SQLite's file change counter (header offset 24).
  package let changeCounter: UInt32

  private init(
    device: UInt64, inode: UInt64, size: Int64, modificationTimeNanoseconds: Int64, changeTimeNanoseconds: Int64,
    changeCounter: UInt32
  ) {
    self.device = device
    self.inode = inode
    self.size = size
    self.modificationTimeNanoseconds = modificationTimeNanoseconds
    self.changeTimeNanoseconds = changeTimeNanoseconds
    self.changeCounter = changeCounter
  }

  /// The stamp of the database file at `databasePath` now, or `nil` when no stamp can vouch
  /// for its state (see the type's discussion).
  package static func read(databasePath path: String) -> SQLiteChangeStamp? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var opened = stat()
    // In rollback-journal mode SQLite writes the database file only while its journal exists
    // (created before the first write, deleted to commit). No journal before and after the
    // header read: no transaction was writing the file while it was read, short of one that
    // began and committed in between.
    guard fstat(descriptor, &opened) == 0, opened.st_mode & S_IFMT == S_IFREG, hasNoJournal(path),
      let header = readHeader(descriptor),
      header.starts(with: magic),
      // File format write and read versions: 1 is rollback-journal mode, 2 is WAL mode.
      header[18] == 1, header[19] == 1,
      hasNoJournal(path)
    else { return nil }
    var current = stat()
    guard stat(path, &current) == 0 else { return nil }
    let counter = header[24..<28].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    guard let stamp = SQLiteChangeStamp(opened, changeCounter: counter),
      SQLiteChangeStamp(current, changeCounter: counter) == stamp
    else { return nil }
    return stamp
  }

  /// The fields as decimal numbers separated by spaces (device, inode, size, modification
  /// time, change time, change counter), for a text record; ``init(text:)`` reads it back.
  package var text: String {
    [
      String(device), String(inode), String(size), String(modificationTimeNanoseconds),
      String(changeTimeNanoseconds), String(changeCounter),
    ].joined(separator: " ")
  }

  /// Parses ``text``; `nil` when `text` is not six decimal fields in range.
  package init?(text: some StringProtocol) {
    let fields = text.split(separator: " ", omittingEmptySubsequences: false)
    guard fields.count == 6, let device = UInt64(fields[0]), let inode = UInt64(fields[1]),
      let size = Int64(fields[2]), let modified = Int64(fields[3]), let changed = Int64(fields[4]),
      let counter = UInt32(fields[5])
    else { return nil }
    self.init(
      device: device, inode: inode, size: size, modificationTimeNanoseconds: modified,
      changeTimeNanoseconds: changed, changeCounter: counter)
  }

  /// A stamp from `stat` data; `nil` when a time does not fit in 64-bit nanoseconds.
  private init?(_ info: stat, changeCounter: UInt32) {
    #if canImport(Darwin)
    let modified = info.st_mtimespec
    let changed = info.st_ctimespec
    #else
    let modified = info.st_mtim
    let changed = info.st_ctim
    #endif
    guard let modifiedNanoseconds = Self.nanoseconds(modified), let changedNanoseconds = Self.nanoseconds(changed)
    else { return nil }
    self.init(
      device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino),
      size: Int64(info.st_size), modificationTimeNanoseconds: modifiedNanoseconds,
      changeTimeNanoseconds: changedNanoseconds, changeCounter: changeCounter)
  }

  /// The header string every SQLite 3 database file starts with.
  private static let magic = Array("SQLite format 3\0".utf8)

  /// The 100-byte database header, or `nil` when the file is shorter or cannot be read.
  private static func readHeader(_ descriptor: Int32) -> [UInt8]? {
    var header = [UInt8](repeating: 0, count: 100)
    var filled = 0
    while filled < header.count {
      let count = header.withUnsafeMutableBytes {
        pread(descriptor, $0.baseAddress! + filled, $0.count - filled, off_t(filled))
      }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return nil }
      filled += count
    }
    return header
  }

  /// `true` when neither a rollback journal nor a write-ahead log is next to the database;
  /// `false` when one is, or when it cannot be told.
  private static func hasNoJournal(_ databasePath: String) -> Bool {
    isAbsent(databasePath + "-journal") && isAbsent(databasePath + "-wal")
  }

  /// `true` when nothing is at `path`; `false` when something is, or when it cannot be told.
  private static func isAbsent(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) != 0 && errno == ENOENT
  }

  private static func nanoseconds(_ time: timespec) -> Int64? {
    let (seconds, overflow) = Int64(time.tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
    guard !overflow else { return nil }
    let (total, carry) = seconds.addingReportingOverflow(Int64(time.tv_nsec))
    return carry ? nil : total
  }
}
