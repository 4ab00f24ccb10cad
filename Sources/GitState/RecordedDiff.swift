import LocalFiles

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A note that, with this `HEAD`, this index, these exclusions and these changed files, `git diff`
/// printed exactly these bytes; so while all of them are still the same, the diff is too.
///
/// Kept in `<git dir>/<records folder>/recorded-diff` (mode 0600, folder 0700), per worktree, after a
/// dirty tree's diff was computed by `git diff` while the index matched `HEAD`. A text header
/// (paths and strings in hex) then the diff itself:
/// ```
/// recorded-diff 2
/// head <id>
/// index <checksum> <index file stamp>
/// started <seconds> <nanoseconds>     (the clock before the files were stamped)
/// environment <hex>                   (see DiffContext)
/// exclusion <hex>                     (one per pathspec, in order)
/// input <hex path> <stamp | missing>  (one per DiffContext file)
/// changed <hex path> <stamp | missing>
/// diff <byte count>
/// <the diff's bytes>
/// ```
/// Content is pinned by stamps the way git's own index pins it, with git's racy rule made
/// coarse: a changed file (or config or attributes file) whose modification or change time is
/// within one second before `started`, or later, could have been written again within the same
/// clock tick without its stamp showing it, so such a record is never written nor reused.
struct RecordedDiff: Sendable, Hashable {
  var head: String
  /// The index the diff was computed against (as ``IndexHeadRecord`` pins it).
  var index: IndexFingerprint
  /// The pathspecs kept out of the diff, as the caller gave them.
  var exclusions: [String]
  /// The wall clock before the changed files were stamped, in nanoseconds since 1970.
  var started: Int64
  var context: DiffContext
  /// Every entry whose file did not match the index's stat data, in index order.
  var changes: [ChangedEntry]
  /// The diff, in MLflow's format.
  var diff: [UInt8]

  static let header = "recorded-diff 2"
  /// Larger diffs are not recorded: reading and comparing them would cost what `git diff` does.
  static let maxDiffBytes = 1 << 20
  /// How close to ``started`` a changed file's time may be before its stamp is not trusted.
  static let racyWindowNanoseconds: Int64 = 1_000_000_000

  /// Where the record lives in the records folder `records` of a worktree.
  static func path(in records: String) -> String { records + "/recorded-diff" }

  /// The wall clock now, in nanoseconds since 1970.
  static func now() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
  }

  /// `true` when a changed file (or a ``DiffContext`` file) was modified or changed within
  /// ``racyWindowNanoseconds`` before ``started``, or later: its stamp cannot vouch for its
  /// content.
  var isRacy: Bool {
    let limit = started - RecordedDiff.racyWindowNanoseconds
    func isRacy(_ stamp: PathStamp?) -> Bool {
      guard let file = stamp?.file else { return false }
      return file.modifiedSeconds * 1_000_000_000 + file.modifiedNanoseconds >= limit
        || file.changedSeconds * 1_000_000_000 + file.changedNanoseconds >= limit
    }
    return changes.contains { isRacy($0.stamp) } || context.inputs.contains { isRacy($0.stamp) }
  }

  /// The record file's content.
  var bytes: [UInt8] {
    var lines = [
      RecordedDiff.header,
      "head " + head,
      "index " + index.checksum + " " + index.stamp.text,
      "started \(started / 1_000_000_000) \(started % 1_000_000_000)",
      "environment " + hexString(context.environment.utf8),
    ]
    for exclusion in exclusions { lines.append("exclusion " + hexString(exclusion.utf8)) }
    for input in context.inputs { lines.append("input " + hexString(input.path.utf8) + " " + PathStamp.text(input.stamp)) }
    for change in changes { lines.append("changed " + hexString(change.path) + " " + PathStamp.text(change.stamp)) }
    lines.append("diff \(diff.count)")
    return Array((lines.joined(separator: "\n") + "\n").utf8) + diff
  }

  /// Writes the record (see ``PrivateFiles/saveRecord(_:named:in:)``); never fails the caller.
  @discardableResult
  func save(in records: String) -> Bool {
    PrivateFiles.saveRecord(bytes, named: "recorded-diff", in: records)
  }

  /// The record in the records folder `records`, or `nil` when there is none
  /// or it is not one this version wrote.
  static func read(in records: String) -> RecordedDiff? {
    FileSystem.contents(of: path(in: records)).flatMap(RecordedDiff.init(bytes:))
  }
}

extension RecordedDiff {
  /// Parses a record file's content; `nil` for anything not exactly in the format above.
  init?(bytes: [UInt8]) {
    var head: String?
    var index: IndexFingerprint?
    var started: Int64?
    var environment: String?
    var exclusions: [String] = []
    var inputs: [DiffContext.Input] = []
    var changes: [ChangedEntry] = []
    var position = 0
    var lineNumber = 0
    while true {
      guard let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
      guard let line = String(validating: bytes[position..<end], as: UTF8.self) else { return nil }
      position = end + 1
      lineNumber += 1
      if lineNumber == 1 {
        guard line == RecordedDiff.header else { return nil }
        continue
      }
      let fields = line.split(separator: " ", omittingEmptySubsequences: false)
      switch fields[0] {
      case "head" where fields.count == 2 && head == nil && isObjectID(String(fields[1])):
        head = String(fields[1])
      case "index" where fields.count == 9 && index == nil:
        guard hexBytesIfValid(String(fields[1])) != nil, let stamp = FileStamp(fields: fields[2...]) else { return nil }
        index = IndexFingerprint(stamp: stamp, checksum: String(fields[1]))
      case "started" where fields.count == 3 && started == nil:
        guard let seconds = Int64(fields[1]), let nanoseconds = Int64(fields[2]), (0..<1_000_000_000).contains(nanoseconds),
          seconds > 0, seconds < Int64.max / 1_000_000_000 - 1
        else { return nil }
        started = seconds * 1_000_000_000 + nanoseconds
      case "environment" where fields.count == 2 && environment == nil:
        guard let value = RecordedDiff.text(hex: fields[1]) else { return nil }
        environment = value
      case "exclusion" where fields.count == 2:
        guard let value = RecordedDiff.text(hex: fields[1]) else { return nil }
        exclusions.append(value)
      case "input" where fields.count >= 3:
        guard let path = RecordedDiff.text(hex: fields[1]), let stamp = PathStamp.parse(fields: fields[2...]) else { return nil }
        inputs.append(DiffContext.Input(path: path, stamp: stamp))
      case "changed" where fields.count >= 3:
        guard let path = hexBytesIfValid(String(fields[1])), !path.isEmpty, let stamp = PathStamp.parse(fields: fields[2...])
        else { return nil }
        changes.append(ChangedEntry(path: path, stamp: stamp))
      case "diff" where fields.count == 2:
        guard let count = Int(fields[1]), count > 0, count <= RecordedDiff.maxDiffBytes, bytes.count - position == count,
          let head, let index, let started, let environment, !changes.isEmpty
        else { return nil }
        self.init(
          head: head, index: index, exclusions: exclusions, started: started,
          context: DiffContext(environment: environment, inputs: inputs), changes: changes,
          diff: Array(bytes[position...]))
        return
      default:
        return nil
      }
    }
  }

  /// The UTF-8 text whose bytes `hex` spells, or `nil`.
  private static func text(hex: Substring) -> String? {
    hexBytesIfValid(String(hex)).flatMap { String(validating: $0, as: UTF8.self) }
  }
}
