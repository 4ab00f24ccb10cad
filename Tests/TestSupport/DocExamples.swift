import Foundation

/// The usage examples of the `///` doc comments in `Sources/`, and the tests that hold them.
///
/// A test file keeps an example verbatim between a `// doc example: Sources/<file>.swift` line and a
/// `// end doc example` line, at the left margin as the comment shows it, inside the function that
/// runs it. ``mismatches(inTestFile:)`` checks that each such snippet is, character for character, a
/// fenced example of the doc comments of the source file it names, and ``unchecked(inModule:testFolders:exempt:)``
/// that every fenced example of a module is held by some test: so neither the comment nor the test
/// can drift without a test failing.
public enum DocExamples {
  /// The package's root, two folders up from this file.
  public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  /// The fenced (```) examples of the `///` comments of the source file at `path` (relative to the
  /// package root), each without the comment's indentation and its `/// `.
  public static func fencedExamples(inSourceFile path: String) throws -> [String] {
    let source = try String(contentsOfFile: packageRoot + "/" + path, encoding: .utf8)
    var examples: [String] = []
    var current: [Substring]?
    for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
      let trimmed = line.drop { $0 == " " }
      guard trimmed.hasPrefix("///") else {
        current = nil
        continue
      }
      var text = trimmed.dropFirst(3)
      if text.hasPrefix(" ") { text = text.dropFirst() }
      if text.hasPrefix("```") {
        if let lines = current {
          examples.append(lines.joined(separator: "\n"))
          current = nil
        } else {
          current = []
        }
      } else {
        current?.append(text)
      }
    }
    return examples
  }

  /// The snippets the test file at `path` (absolute, as `#filePath`) holds, with the source file
  /// each one names.
  public static func snippets(inTestFile path: String) throws -> [(source: String, text: String)] {
    let test = try String(contentsOfFile: path, encoding: .utf8)
    var snippets: [(source: String, text: String)] = []
    var current: (source: String, lines: [Substring])?
    for line in test.split(separator: "\n", omittingEmptySubsequences: false) {
      let trimmed = line.drop { $0 == " " }
      if trimmed.hasPrefix(beginMarker) {
        current = (String(trimmed.dropFirst(beginMarker.count)), [])
      } else if trimmed == endMarker, let open = current {
        snippets.append((open.source, open.lines.joined(separator: "\n")))
        current = nil
      } else if current != nil {
        current?.lines.append(line)
      }
    }
    return snippets
  }

  /// What is wrong with the snippets of the test file at `path`: each one that is not a fenced
  /// example of the source file it names, and an empty list when the file holds none (a check
  /// that finds nothing to check is a mistake).
  public static func mismatches(inTestFile path: String) throws -> [String] {
    let snippets = try snippets(inTestFile: path)
    guard !snippets.isEmpty else { return ["\(path) holds no `\(beginMarker)` snippet"] }
    return try snippets.compactMap { snippet in
      try fencedExamples(inSourceFile: snippet.source).contains(snippet.text)
        ? nil : "\(snippet.source) has no `///` example reading:\n\(snippet.text)"
    }
  }

  /// The fenced examples of `Sources/<module>` that no test file under `Tests/<testFolder>` (one of
  /// `testFolders`) holds, as `file: first line`; `exempt` names the files whose fenced blocks are
  /// not Swift (a file format, a help layout).
  public static func unchecked(inModule module: String, testFolders: [String], exempt: Set<String> = []) throws -> [String] {
    let tests = try testFolders.flatMap { try swiftFiles(under: "Tests/" + $0) }
    let held = Set(try tests.flatMap { try snippets(inTestFile: packageRoot + "/" + $0).map { $0.source + "\n" + $0.text } })
    var unchecked: [String] = []
    for file in try swiftFiles(under: "Sources/" + module) where !exempt.contains(file) {
      for example in try fencedExamples(inSourceFile: file) where !held.contains(file + "\n" + example) {
        unchecked.append(file + ": " + (example.split(separator: "\n").first.map(String.init) ?? ""))
      }
    }
    return unchecked
  }

  /// Everything wrong with the examples of `modules` (folders of `Sources/`): a snippet of one of
  /// `testFiles` (absolute paths, as `#filePath`) that is not its comment's example, and an
  /// example no test file under `Tests/<folder>` (one of `testFolders`) holds.
  public static func problems(
    testFiles: [String], modules: [String], testFolders: [String], exempt: Set<String> = []
  ) throws -> [String] {
    try testFiles.flatMap { try mismatches(inTestFile: $0) }
      + modules.flatMap { module in
        try unchecked(inModule: module, testFolders: testFolders, exempt: exempt).map { "no test holds " + $0 }
      }
  }

  static let beginMarker = "// doc example: "
  static let endMarker = "// end doc example"

  /// The Swift files under `folder` (relative to the package root), relative to the package root.
  static func swiftFiles(under folder: String) throws -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: packageRoot + "/" + folder) else {
      throw DocExampleError(description: "no folder \(folder)")
    }
    return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted().map { folder + "/" + $0 }
  }

  struct DocExampleError: Error, CustomStringConvertible {
    let description: String
  }
}
