import LocalFiles

/// A note that one exact index file matched one commit's tree: `git status` found no staged
/// change with that `HEAD` and that index.
///
/// Kept in `<git dir>/<records folder>/index-matches-head` (mode 0600, folder 0700), per worktree: a
/// header line, then `HEAD`'s id, the index checksum and the index file's ``FileStamp``. Commits and
/// index checksums name content, so while `HEAD` and the index are still these, the index still
/// matches `HEAD` and the in-process check need not read any object. The stamp pins the file
/// itself: any rewrite changes its change time, even one that kept a stale checksum.
struct IndexHeadRecord: Sendable, Hashable {
  /// The commit `HEAD` resolved to.
  var head: String
  /// The index file's stat data and trailing checksum.
  var index: IndexFingerprint

  static let header = "index-matches-head 2"

  /// Where the record lives in the records folder `records` of a worktree.
  static func path(in records: String) -> String { records + "/index-matches-head" }

  /// The record, or `nil` when there is none or it is not one this version wrote.
  static func read(in records: String) -> IndexHeadRecord? {
    FileSystem.contents(of: path(in: records)).flatMap(IndexHeadRecord.init(bytes:))
  }

  /// The record file's content. Comparing it with a file's bytes is the fast way to check a
  /// record: no parsing.
  var bytes: [UInt8] {
    Array((IndexHeadRecord.header + "\n" + [head, index.checksum, index.stamp.text].joined(separator: " ") + "\n").utf8)
  }

  /// Replaces the record atomically (see ``PrivateFiles/saveRecord(_:named:in:)``). Never fails the caller: a
  /// record that cannot be written only means the next check asks `git status` again.
  @discardableResult
  func save(in records: String) -> Bool {
    PrivateFiles.saveRecord(bytes, named: "index-matches-head", in: records)
  }
}

extension IndexHeadRecord {
  /// Parses a record file's content.
  init?(bytes: [UInt8]) {
    guard bytes.count < 1024 else { return nil }
    let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
    guard lines.count == 2, lines[0] == IndexHeadRecord.header else { return nil }
    let fields = lines[1].split(separator: " ")
    guard fields.count == 9, isObjectID(String(fields[0])), hexBytesIfValid(String(fields[1])) != nil,
      let stamp = FileStamp(fields: fields[2...])
    else { return nil }
    self.init(head: String(fields[0]), index: IndexFingerprint(stamp: stamp, checksum: String(fields[1])))
  }
}
