/// Just enough of git's config-file syntax to read one value without spawning `git config`.
///
/// Handles sections (`[remote "origin"]`, `[core]`, the old `[remote.origin]`), case-insensitive
/// section and key names, quoted values with escapes, `#`/`;` comments and `\` line
/// continuations. Plain `[include] path = …` files are read in place (mlflow-git's own forwarding
/// setting is one); files with conditional includes (`[includeIf …]`) are reported as
/// unanswerable, so the caller can ask `git` instead.
struct GitConfigFile: Sendable {
  struct Entry: Sendable, Hashable {
    var section: String      // lowercased
    var subsection: String?  // case-sensitive
    var key: String          // lowercased
    var value: String?       // nil for a bare `key` (boolean true)
  }

  let entries: [Entry]
  /// The file includes other files, so its entries alone are not the whole story.
  let hasIncludes: Bool

  init(entries: [Entry], hasIncludes: Bool) {
    self.entries = entries
    self.hasIncludes = hasIncludes
  }

  /// This file with the files its `[include]` sections name read in place, as git reads them
  /// (a relative path is relative to `directory`, the including file's folder; a missing file
  /// is skipped); `nil` when a conditional include (`[includeIf …]`), an unreadable syntax or
  /// includes nested too deep leave the answer to git.
  func expandingIncludes(relativeTo directory: String, depth: Int = 0) -> GitConfigFile? {
    guard hasIncludes else { return self }
    guard depth < 10 else { return nil }
    var expanded: [Entry] = []
    for entry in entries {
      if entry.section == "includeif" { return nil }
      guard entry.section == "include", entry.subsection == nil, entry.key == "path" else {
        expanded.append(entry)
        continue
      }
      guard let value = entry.value, !value.isEmpty, !value.hasPrefix("~") else { return nil }
      let path = value.hasPrefix("/") ? value : directory + "/" + value
      guard let bytes = FileSystem.contents(of: path) else { continue }
      guard let included = GitConfigFile(text: String(decoding: bytes, as: UTF8.self)),
        let resolved = included.expandingIncludes(relativeTo: FileSystem.parent(of: path), depth: depth + 1)
      else { return nil }
      expanded += resolved.entries
    }
    return GitConfigFile(entries: expanded, hasIncludes: false)
  }

  init?(text: String) {
    var entries: [Entry] = []
    var hasIncludes = false
    var section = ""
    var subsection: String? = nil
    var chars = Array(text.unicodeScalars)[...]

    func skipToEndOfLine() {
      while let c = chars.first, c != "\n" { chars.removeFirst() }
    }

    while let c = chars.first {
      if c == "\n" || c == " " || c == "\t" || c == "\r" { chars.removeFirst(); continue }
      if c == "#" || c == ";" { skipToEndOfLine(); continue }
      if c == "[" {
        chars.removeFirst()
        var name = ""
        while let d = chars.first, d != "]", d != " ", d != "\t", d != "\"", d != "\n" {
          name.unicodeScalars.append(d); chars.removeFirst()
        }
        subsection = nil
        while let d = chars.first, d == " " || d == "\t" { chars.removeFirst() }
        if chars.first == "\"" {
          chars.removeFirst()
          var sub = ""
          while let d = chars.first, d != "\"" {
            if d == "\n" { return nil }
            chars.removeFirst()
            if d == "\\", let e = chars.first { sub.unicodeScalars.append(e); chars.removeFirst(); continue }
            sub.unicodeScalars.append(d)
          }
          guard chars.first == "\"" else { return nil }
          chars.removeFirst()
          subsection = sub
        }
        guard chars.first == "]" else { return nil }
        chars.removeFirst()
        if subsection == nil, let dot = name.firstIndex(of: ".") {
          subsection = String(name[name.index(after: dot)...])
          name = String(name[..<dot])
        }
        section = name.lowercased()
        if section == "include" || section == "includeif" { hasIncludes = true }
        continue
      }
      // key [= value]
      var key = ""
      // Git's key characters: ASCII letters, digits and `-` (`iskeychar`).
      while let d = chars.first, d.isASCII,
        ("a"..."z").contains(d) || ("A"..."Z").contains(d) || ("0"..."9").contains(d) || d == "-"
      {
        key.unicodeScalars.append(d); chars.removeFirst()
      }
      guard !key.isEmpty, !section.isEmpty else { return nil }
      while let d = chars.first, d == " " || d == "\t" { chars.removeFirst() }
      guard let next = chars.first, next == "=" else {
        if chars.first == nil || chars.first == "\n" || chars.first == "#" || chars.first == ";" || chars.first == "\r" {
          entries.append(Entry(section: section, subsection: subsection, key: key.lowercased(), value: nil))
          skipToEndOfLine()
          continue
        }
        return nil
      }
      chars.removeFirst()
      var value = ""
      var pendingSpace = ""
      var quoted = false
      valueLoop: while let d = chars.first {
        switch d {
        case "\n":
          if quoted { return nil }
          break valueLoop
        case "#", ";":
          if quoted { value += pendingSpace; pendingSpace = ""; value.unicodeScalars.append(d); chars.removeFirst() } else { skipToEndOfLine(); break valueLoop }
        case "\"":
          quoted.toggle(); chars.removeFirst()
          value += pendingSpace; pendingSpace = ""
        case "\\":
          chars.removeFirst()
          guard let e = chars.first else { return nil }
          chars.removeFirst()
          value += pendingSpace; pendingSpace = ""
          switch e {
          case "\n": continue
          case "\r" where chars.first == "\n": chars.removeFirst(); continue
          case "n": value += "\n"
          case "t": value += "\t"
          case "b": if !value.isEmpty { value.removeLast() }
          case "\\", "\"": value.unicodeScalars.append(e)
          default: return nil
          }
        case " ", "\t", "\r":
          chars.removeFirst()
          if quoted { value.unicodeScalars.append(d) } else if !value.isEmpty { pendingSpace.unicodeScalars.append(d) }
        default:
          value += pendingSpace; pendingSpace = ""
          value.unicodeScalars.append(d); chars.removeFirst()
        }
      }
      if quoted { return nil }
      entries.append(Entry(section: section, subsection: subsection, key: key.lowercased(), value: value))
    }
    self.entries = entries
    self.hasIncludes = hasIncludes
  }

  /// The last value of `section.subsection.key` (git's "last one wins"), or `nil`.
  func lastValue(section: String, subsection: String?, key: String) -> String? {
    let section = section.lowercased()
    let key = key.lowercased()
    return entries.last { $0.section == section && $0.subsection == subsection && $0.key == key }?.value ?? nil
  }
}
