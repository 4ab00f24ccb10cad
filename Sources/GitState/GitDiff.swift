/// The uncommitted changes of a dirty work tree, in MLflow's format, byte for byte.
///
/// MLflow records `git diff` (unstaged) and, when there are staged changes, a newline and `git
/// diff --cached`, each with one trailing newline removed. The same text comes out here, so a
/// Python app and a Swift app on the same tree record the same diff. Unlike MLflow, external
/// diff tools and colour are always off, and the bytes are kept exactly: binary files appear as
/// git's `Binary files … differ` line, text in other encodings is not re-encoded.
///
/// # Usage
/// ```swift
/// let diff = try repository.diff(for: try repository.status(), excluding: [".env", "secrets/**"])
/// print(diff.text ?? "<\(diff.bytes.count) bytes, not UTF-8>")
/// ```
public struct GitDiff: Sendable, Hashable {
  /// The diff exactly as git printed it (MLflow's concatenation rule applied).
  public let bytes: [UInt8]

  public init(bytes: [UInt8]) { self.bytes = bytes }

  /// The diff as a string, or `nil` when it is not valid UTF-8.
  public var text: String? { String(validating: bytes, as: UTF8.self) }

  /// The diff as a string; invalid UTF-8 sequences become U+FFFD. Use ``bytes`` to keep them.
  public var lossyText: String { String(decoding: bytes, as: UTF8.self) }

  /// `true` when the diff has no content (possible when every change is in an excluded path).
  public var isEmpty: Bool { bytes.isEmpty }

  /// MLflow's rule: unstaged, then `"\n"` and staged when both exist, else whichever exists.
  init(unstaged: [UInt8], staged: [UInt8]) {
    let unstaged = GitDiff.droppingOneTrailingNewline(unstaged)
    let staged = GitDiff.droppingOneTrailingNewline(staged)
    if staged.isEmpty {
      bytes = unstaged
    } else if unstaged.isEmpty {
      bytes = staged
    } else {
      bytes = unstaged + [UInt8(ascii: "\n")] + staged
    }
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
    return GitDiff(unstaged: unstaged, staged: staged)
  }

  static func excludePathspec(_ path: String) -> String {
    if path.hasPrefix(":(") { return ":(exclude," + path.dropFirst(2) }
    if path.hasPrefix(":!") || path.hasPrefix(":^") { return path }
    return ":(exclude)" + path
  }
}
