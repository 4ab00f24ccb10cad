import LocalFiles
import MLflowStore

#if canImport(Glibc)
import Glibc
#endif

/// One file of the trace journal, as its name tells:
///
/// - `s<ms>-<random>-<count>.traces`: a *sealed segment*, ``TraceRecord``s one after another,
///   complete when it appears (written under a temporary name, then renamed);
/// - `o<ms>-<pid>-<random>.open`: an *open segment* a spill writer appends to, one write per
///   batch, while it holds an `flock` on it; sealed (renamed) when the writer is done with it.
///   One whose lock is free was left by a process that died (SIGKILL): its intact records are
///   delivered like a sealed segment's;
/// - `tr-<trace ID>.json`: one trace as JSON, as runs before segments wrote it.
///
/// `<ms>` is when the first trace was written, so names sort oldest first.
enum JournalFile: Hashable {
  case sealed(name: String, count: Int)
  case open(name: String)
  case legacy(name: String)

  static let sealedSuffix = ".traces"
  static let openSuffix = ".open"

  init?(name: String) {
    if name.hasPrefix("tr-") && name.hasSuffix(".json") {
      self = .legacy(name: name)
    } else if name.hasPrefix("s") && name.hasSuffix(JournalFile.sealedSuffix),
      let count = name.dropLast(JournalFile.sealedSuffix.count).split(separator: "-").last.flatMap({ Int($0) })
    {
      self = .sealed(name: name, count: count)
    } else if name.hasPrefix("o") && name.hasSuffix(JournalFile.openSuffix) {
      self = .open(name: name)
    } else {
      return nil
    }
  }

  var name: String {
    switch self {
    case .sealed(let name, _), .open(let name), .legacy(let name): return name
    }
  }

  /// The traces it holds, as its name tells (an open segment's are not counted by name).
  var countByName: Int? {
    switch self {
    case .sealed(_, let count): return count
    case .legacy: return 1
    case .open: return nil
    }
  }

  /// The name of a sealed segment of `count` traces, the first written at `milliseconds`.
  static func sealedName(milliseconds: Int64, count: Int) -> String {
    "s" + paddedMilliseconds(milliseconds) + "-" + Identifiers.randomHex(bytes: 8) + "-" + String(count) + sealedSuffix
  }

  /// The name of rejected traces set aside (never delivered again, never counted).
  static func rejectedName(milliseconds: Int64, count: Int) -> String {
    "r" + paddedMilliseconds(milliseconds) + "-" + Identifiers.randomHex(bytes: 8) + "-" + String(count) + ".rejected"
  }

  static func openName(milliseconds: Int64) -> String {
    "o" + paddedMilliseconds(milliseconds) + "-" + String(getpid()) + "-" + Identifiers.randomHex(bytes: 8) + openSuffix
  }

  /// When the segment's first trace was written (from its name); now for legacy files.
  var milliseconds: Int64 {
    switch self {
    case .sealed(let name, _), .open(let name):
      return Int64(name.dropFirst().prefix(13)) ?? TracingClock.nowMilliseconds()
    case .legacy:
      return TracingClock.nowMilliseconds()
    }
  }

  private static func paddedMilliseconds(_ milliseconds: Int64) -> String {
    let digits = String(max(0, milliseconds))
    return String(repeating: "0", count: max(0, 13 - digits.count)) + digits
  }
}

/// The segment a spill writer appends batches of records to: created exclusively and locked
/// (`flock`) for as long as it is open, so a delivery leaves it alone while its writer lives
/// and delivers it once its writer is gone. Not thread-safe: one spill writer owns it.
final class OpenSegment {
  let path: String
  let directory: String
  let startedAt: Int64
  private let descriptor: Int32
  /// Records and bytes written so far.
  private(set) var count = 0
  private(set) var size = 0

  init(in directory: String) throws(LocalFileError) {
    try PrivateFiles.createDirectory(directory)
    startedAt = TracingClock.nowMilliseconds()
    self.directory = directory
    path = directory + "/" + JournalFile.openName(milliseconds: startedAt)
    descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw LocalFileError(path: path, operation: "create", errno: errno) }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      let failure = errno
      close(descriptor)
      unlink(path)
      throw LocalFileError(path: path, operation: "lock", errno: failure)
    }
  }

  deinit { close(descriptor) }

  /// Appends `records` (whole records, one after another) in one write. A write cut short
  /// (disk full) is taken back, so the segment never holds half a record before a whole one.
  func append(_ records: [UInt8], count added: Int) throws(LocalFileError) {
    var offset = 0
    while offset < records.count {
      let written = records.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, records.count - offset) }
      if written < 0 {
        if errno == EINTR { continue }
        let failure = errno
        _ = ftruncate(descriptor, off_t(size))
        throw LocalFileError(path: path, operation: "write", errno: failure)
      }
      offset += written
    }
    count += added
    size += records.count
  }

  /// Renames it to a sealed segment (deliveries take it from then on) and lets go of it;
  /// removes it when it holds nothing.
  func seal() throws(LocalFileError) {
    guard count > 0 else {
      unlink(path)
      return
    }
    let sealed = directory + "/" + JournalFile.sealedName(milliseconds: startedAt, count: count)
    guard rename(path, sealed) == 0 else { throw LocalFileError(path: path, operation: "seal", errno: errno) }
  }
}

/// An open segment whose writer is gone, taken by a delivery: its lock is held until released,
/// so a writer that was only slow to seal it cannot be mistaken for a dead one.
struct OrphanedSegment {
  let descriptor: Int32

  /// Takes the open segment at `path` when no writer holds it; `nil` while one does, or when it
  /// was sealed or removed meanwhile.
  static func take(_ path: String) -> OrphanedSegment? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    var opened = stat()
    var current = stat()
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0, fstat(descriptor, &opened) == 0, stat(path, &current) == 0,
      opened.st_ino == current.st_ino, opened.st_dev == current.st_dev
    else {
      close(descriptor)
      return nil
    }
    return OrphanedSegment(descriptor: descriptor)
  }

  func release() { close(descriptor) }
}
