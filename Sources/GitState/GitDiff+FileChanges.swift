extension GitDiff {
  /// The files this diff changes and its added and deleted lines per file, read from the
  /// diff's text (`diff --git` headers, `Binary files … differ`, hunk lines). A file that
  /// appears twice (in both the unstaged and the staged part of MLflow's format) is listed once,
  /// with both parts' lines added up.
  ///
  /// # Usage
  /// ```swift
  /// for file in GitDiff(bytes: storedDiff).fileChanges { print(file.path, file.added.map(String.init) ?? "binary") }
  /// ```
  package var fileChanges: [RevisionComparison.FileChange] {
    var changes: [RevisionComparison.FileChange] = []
    var current: RevisionComparison.FileChange?
    var inHunk = false
    func finish() {
      guard let file = current else { return }
      if let index = changes.firstIndex(where: { $0.path == file.path }) {
        let earlier = changes[index]
        changes[index].added = earlier.added.flatMap { a in file.added.map { a + $0 } }
        changes[index].deleted = earlier.deleted.flatMap { d in file.deleted.map { d + $0 } }
      } else {
        changes.append(file)
      }
      current = nil
    }
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      if line.starts(with: Array("diff --git ".utf8)) {
        finish()
        current = RevisionComparison.FileChange(path: Self.newPath(header: line), added: 0, deleted: 0)
        inHunk = false
      } else if current == nil {
        continue
      } else if line.starts(with: Array("@@".utf8)) {
        inHunk = true
      } else if inHunk, line.first == UInt8(ascii: "+") {
        current?.added? += 1
      } else if inHunk, line.first == UInt8(ascii: "-") {
        current?.deleted? += 1
      } else if !inHunk, line.starts(with: Array("Binary files ".utf8)) || line.starts(with: Array("GIT binary patch".utf8)) {
        current?.added = nil
        current?.deleted = nil
      } else if !inHunk, line.starts(with: Array("rename from ".utf8)) {
        current?.previousPath = Self.unquoted(line.dropFirst("rename from ".utf8.count))
      } else if !inHunk, line.starts(with: Array("+++ b/".utf8)) {
        current?.path = Self.unquoted(line.dropFirst("+++ b/".utf8.count))
      }
    }
    finish()
    return changes
  }

  /// The path after ` b/` in a `diff --git a/<old> b/<new>` header (quoted or not).
  private static func newPath(header: ArraySlice<UInt8>) -> String {
    let text = String(decoding: header.dropFirst("diff --git ".utf8.count), as: UTF8.self)
    if text.hasSuffix("\""), let start = text.ranges(of: " \"b/").last {
      return unquoted(ArraySlice(Array(text[text.index(after: start.lowerBound)...].utf8)))
    }
    if let start = text.ranges(of: " b/").last { return String(text[start.upperBound...]) }
    return text
  }

  /// A path as git prints it: as is, or in double quotes with C escapes (`"a/caf\303\251"`),
  /// without a leading `a/` or `b/` inside the quotes.
  private static func unquoted(_ field: ArraySlice<UInt8>) -> String {
    guard field.first == UInt8(ascii: "\""), field.count >= 2 else { return String(decoding: field, as: UTF8.self) }
    var bytes: [UInt8] = []
    var iterator = field.dropFirst().dropLast().makeIterator()
    while let byte = iterator.next() {
      guard byte == UInt8(ascii: "\\"), let escaped = iterator.next() else {
        bytes.append(byte)
        continue
      }
      switch escaped {
      case UInt8(ascii: "n"): bytes.append(UInt8(ascii: "\n"))
      case UInt8(ascii: "t"): bytes.append(UInt8(ascii: "\t"))
      case UInt8(ascii: "0")...UInt8(ascii: "7"):
        var value = Int(escaped - UInt8(ascii: "0"))
        for _ in 0..<2 {
          guard let digit = iterator.next() else { break }
          value = value * 8 + Int(digit - UInt8(ascii: "0"))
        }
        bytes.append(UInt8(truncatingIfNeeded: value))
      default: bytes.append(escaped)
      }
    }
    var path = String(decoding: bytes, as: UTF8.self)
    if path.hasPrefix("a/") || path.hasPrefix("b/") { path.removeFirst(2) }
    return path
  }
}
