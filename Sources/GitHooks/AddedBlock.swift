import LocalFiles

#if canImport(Glibc)
import Glibc
#endif

/// Lines mlflow-git adds at the end of a file that is not its own (`info/exclude`, `.git/config`,
/// `lefthook-local.yml`, a team's hook file …) and removes again, restoring every byte.
///
/// The block starts with a line beginning with `start` and ends with the line `end`, so it is
/// found again even when a later mlflow-git writes it differently. What adding changed besides
/// the block (a file created, a newline added to a last line that had none) is returned, kept
/// in the install manifest, and undone on removal.
struct AddedBlock {
  let path: String
  let text: String
  let start: String
  let end: String
  /// What a file created for the block starts with (a shebang …), removed with it.
  var header = ""
  /// Where in the file's content the block goes; `nil` (or no answer) means at the end.
  var insertion: (@Sendable ([UInt8]) -> Int?)? = nil

  /// The first line of mlflow-git's usual markers, `# >>> mlflow-git…` and `# <<< mlflow-git`.
  static let startMarker = "# >>> mlflow-git"

  /// A block between mlflow-git's usual markers.
  init(path: String, purpose: String, lines: String) {
    self.path = path
    start = AddedBlock.startMarker
    end = "# <<< mlflow-git"
    text = start + ": " + purpose + " (`mlflow-git uninstall` removes it)\n" + lines + end + "\n"
  }

  /// A block found again by other markers (the `info/exclude` block of earlier versions).
  init(path: String, text: String, start: String, end: String) {
    self.path = path
    self.text = text
    self.start = start
    self.end = end
  }

  /// Whether `bytes` hold a block between mlflow-git's usual markers.
  static func isPresent(in bytes: [UInt8]?) -> Bool {
    guard let bytes else { return false }
    return bytes.containsBytes(Array(("\n" + startMarker).utf8)) || bytes.starts(with: Array(startMarker.utf8))
  }

  /// What adding the block changed besides the block.
  struct Changes: Sendable, Hashable {
    var createdFile = false
    var addedNewline = false
  }

  /// The file's content, or `nil` when it does not exist.
  func content() throws(LocalFileError) -> [UInt8]? { try PrivateFiles.read(path) }

  /// Whether the file holds a block (this one or an earlier mlflow-git's).
  func isPresent() -> Bool {
    guard let bytes = (try? content()) ?? nil else { return false }
    return range(in: bytes) != nil
  }

  /// Adds the block at the end of the file, replacing an earlier mlflow-git's block in place;
  /// `nil` when the file already holds exactly this block.
  ///
  /// - Parameters:
  ///   - newFileMode: The mode of a file created for it.
  ///   - gitLock: Write as git writes its config: through `<path>.lock`, created exclusively,
  ///     so a concurrent `git config` fails instead of losing the change (or making this fail).
  func add(newFileMode: mode_t = 0o644, gitLock: Bool = false) throws(LocalFileError) -> Changes? {
    let current = try content()
    var changes = Changes()
    var updated: [UInt8]
    if let current, let range = range(in: current) {
      if Array(current[range]) == Array(text.utf8) { return nil }
      updated = current
      updated.replaceSubrange(range, with: Array(text.utf8))
    } else if let current, let offset = insertion?(current), offset < current.count {
      updated = current
      updated.insert(contentsOf: Array(text.utf8), at: offset)
    } else {
      updated = current ?? Array(header.utf8)
      changes.createdFile = current == nil
      if let last = updated.last, last != UInt8(ascii: "\n") {
        updated.append(UInt8(ascii: "\n"))
        changes.addedNewline = true
      }
      updated += Array(text.utf8)
    }
    try write(updated, newFileMode: newFileMode, gitLock: gitLock)
    return changes
  }

  /// Removes the block, undoing `changes`: the file is deleted when adding created it and
  /// nothing else was written to it since. Returns whether a block was found.
  @discardableResult
  func remove(undoing changes: Changes, gitLock: Bool = false) throws(LocalFileError) -> Bool {
    guard let current = try content(), let range = range(in: current) else { return false }
    var restored = current
    restored.removeSubrange(range)
    if changes.addedNewline, range.lowerBound == restored.count, restored.last == UInt8(ascii: "\n") {
      restored.removeLast()
    }
    if changes.createdFile && (restored.isEmpty || restored == Array(header.utf8)) {
      try FileOperations.remove(path)
    } else {
      try write(restored, newFileMode: 0o644, gitLock: gitLock)
    }
    return true
  }

  /// The block's bytes in `bytes`: from a line starting with `start` through the line `end`.
  func range(in bytes: [UInt8]) -> Range<Int>? {
    let startBytes = Array(start.utf8)
    let endLine = Array((end + "\n").utf8)
    var lineStart = 0
    var blockStart: Int?
    while lineStart < bytes.count {
      let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
      let line = bytes[lineStart..<lineEnd]
      if blockStart == nil, line.starts(with: startBytes) {
        blockStart = lineStart
      } else if let blockStart, Array(line) == endLine || Array(line) == Array(end.utf8) {
        return blockStart..<lineEnd
      }
      lineStart = lineEnd
    }
    return nil
  }

  private func write(_ bytes: [UInt8], newFileMode: mode_t, gitLock: Bool) throws(LocalFileError) {
    if gitLock {
      try FileOperations.replaceThroughGitLock(path, with: bytes)
    } else {
      try FileOperations.replacePreservingMode(path, with: bytes, newFileMode: newFileMode)
    }
  }
}
