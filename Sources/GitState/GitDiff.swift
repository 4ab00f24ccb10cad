/// The uncommitted changes of a dirty work tree, in MLflow's format, byte for byte.
///
/// MLflow records `git diff` (unstaged) and, when there are staged changes, a newline and `git
/// diff --cached`, each with one trailing newline removed. The same text comes out here, so a
/// Python app and a Swift app on the same tree record the same diff. Unlike MLflow, external
/// diff tools and colour are always off, and the bytes are kept exactly: binary files appear as
/// git's `Binary files … differ` line, text in other encodings is not re-encoded.
///
/// That line says a binary file changed, not how, so such a diff cannot restore the tree:
/// ``patch`` then holds the same changes with the binary files' contents (`git diff --binary`),
/// which `git apply` takes.
///
/// # Usage
/// ```swift
/// let diff = try repository.diff(for: try repository.status(), excluding: [".env", "secrets/**"])
/// print(diff.text ?? "<\(diff.bytes.count) bytes, not UTF-8>")
/// ```
public struct GitDiff: Sendable, Hashable {
  /// The diff exactly as git printed it (MLflow's concatenation rule applied).
  public let bytes: [UInt8]
  /// When a binary file changed: the same diff made with `--binary` (binary files' contents
  /// included, full object names), unstaged then staged, each whole as git printed it; `nil`
  /// when ``bytes`` is already exact.
  public let patch: [UInt8]?

  package init(bytes: [UInt8], patch: [UInt8]? = nil) {
    self.bytes = bytes
    self.patch = patch
  }

  /// The diff that restores the tree with `git apply`: ``patch`` when there is one, else ``bytes``.
  public var completeBytes: [UInt8] { patch ?? bytes }

  /// `true` when `diff` has git's `Binary files … differ` line: a binary file changed.
  static func mentionsBinaryFile(_ diff: [UInt8]) -> Bool {
    let marker = Array("Binary files ".utf8)
    if diff.starts(with: marker) { return true }
    return diff.firstRange(of: [UInt8(ascii: "\n")] + marker) != nil
  }

  /// The diff as a string, or `nil` when it is not valid UTF-8.
  public var text: String? { String(validating: bytes, as: UTF8.self) }

  /// The diff as a string; invalid UTF-8 sequences become U+FFFD. Use ``bytes`` to keep them.
  public var lossyText: String { String(decoding: bytes, as: UTF8.self) }

  /// `true` when the diff has no content (possible when every change is in an excluded path).
  public var isEmpty: Bool { bytes.isEmpty }

  /// MLflow's rule: unstaged, then `"\n"` and staged when both exist, else whichever exists.
  init(unstaged: [UInt8], staged: [UInt8], patch: [UInt8]? = nil) {
    bytes = GitDiff.joined(unstaged: unstaged, staged: staged)
    self.patch = patch
  }

  static func joined(unstaged: [UInt8], staged: [UInt8]) -> [UInt8] {
    let unstaged = GitDiff.droppingOneTrailingNewline(unstaged)
    let staged = GitDiff.droppingOneTrailingNewline(staged)
    if staged.isEmpty { return unstaged }
    if unstaged.isEmpty { return staged }
    return unstaged + [UInt8(ascii: "\n")] + staged
  }

  static func droppingOneTrailingNewline(_ bytes: [UInt8]) -> [UInt8] {
    bytes.last == UInt8(ascii: "\n") ? Array(bytes.dropLast()) : bytes
  }
}

extension GitRepository {
  /// The diff of the uncommitted changes, in MLflow's format.
  ///
  /// - Parameters:
  ///   - status: The status from ``status()``; only the diffs it says are non-empty are run.
  ///   - excluding: Paths kept out of the diff (secrets such as `.env`), as git pathspecs
  ///     relative to the top of the work tree (`secrets/**`, `*.pem`). A pathspec that already
  ///     carries magic (`:(glob)…`) is passed as given with `exclude` added.
  public func diff(for status: WorkingTreeStatus, excluding: [String] = []) throws(GitStateError) -> GitDiff {
    let pathspecs = excluding.isEmpty ? [] : ["--"] + excluding.map(GitRepository.excludePathspec)
    let common = ["diff", "--no-ext-diff", "--no-color"]
    let unstaged = status.hasUnstagedChanges ? try git.run(common + pathspecs) : []
    let staged = status.hasStagedChanges ? try git.run(common + ["--cached"] + pathspecs) : []
    guard GitDiff.mentionsBinaryFile(unstaged) || GitDiff.mentionsBinaryFile(staged) else {
      return GitDiff(unstaged: unstaged, staged: staged)
    }
    // Both parts as git printed them, one after the other: a binary patch ends with a blank
    // line that `git apply` needs, so no newline is dropped here.
    let binary = common + ["--binary"]
    let patch =
      (status.hasUnstagedChanges ? try git.run(binary + pathspecs) : [])
      + (status.hasStagedChanges ? try git.run(binary + ["--cached"] + pathspecs) : [])
    return GitDiff(unstaged: unstaged, staged: staged, patch: patch)
  }

  static func excludePathspec(_ path: String) -> String {
    if path.hasPrefix(":(") { return ":(exclude," + path.dropFirst(2) }
    if path.hasPrefix(":!") || path.hasPrefix(":^") { return path }
    return ":(exclude)" + path
  }
}
