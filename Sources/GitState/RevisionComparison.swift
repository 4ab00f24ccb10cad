/// What changed in the code between two commits, as `git` tells it: how many commits each side
/// has that the other lacks, the newest of them, and the files whose content differs.
///
/// # Usage
/// ```swift
/// let changes = try repository.comparison(from: "main", to: "HEAD", commitLimit: 10)
/// print("\(changes.commitsAhead) commits, \(changes.files.count) files, +\(changes.linesAdded) −\(changes.linesDeleted)")
/// ```
package struct RevisionComparison: Sendable, Hashable {
  /// One commit: its ID and the first line of its message.
  package struct Commit: Sendable, Hashable {
    package var id: String
    package var subject: String

    package init(id: String, subject: String) {
      self.id = id
      self.subject = subject
    }
  }

  /// One changed file and its changed lines.
  package struct FileChange: Sendable, Hashable {
    /// The path after the change (the new name of a renamed file).
    package var path: String
    /// The path before a rename, else `nil`.
    package var previousPath: String?
    /// Lines added; `nil` for a binary file.
    package var added: Int?
    /// Lines deleted; `nil` for a binary file.
    package var deleted: Int?

    package init(path: String, previousPath: String? = nil, added: Int?, deleted: Int?) {
      self.path = path
      self.previousPath = previousPath
      self.added = added
      self.deleted = deleted
    }

    /// `true` when git shows no line counts (a binary file).
    package var isBinary: Bool { added == nil }

    /// The changes `git diff --numstat -z` printed: `added<TAB>deleted<TAB>path<NUL>`, or for
    /// a rename `added<TAB>deleted<TAB><NUL>old<NUL>new<NUL>`; `-` counts for binary files.
    static func parseNumstat(_ output: [UInt8]) -> [FileChange] {
      var fields = output.split(separator: 0, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
      }[...]
      var changes: [FileChange] = []
      while let record = fields.popFirst(), !record.isEmpty {
        let parts = record.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { continue }
        let added = Int(parts[0])
        let deleted = Int(parts[1])
        if parts[2].isEmpty {
          guard let old = fields.popFirst(), let new = fields.popFirst() else { break }
          changes.append(FileChange(path: new, previousPath: old, added: added, deleted: deleted))
        } else {
          changes.append(FileChange(path: String(parts[2]), added: added, deleted: deleted))
        }
      }
      return changes
    }
  }

  /// The commit compared from.
  package var from: String
  /// The commit compared to.
  package var to: String
  /// Their best common ancestor; `nil` for unrelated histories.
  package var mergeBase: String?
  /// Commits reachable from ``from`` but not from ``to``.
  package var commitsBehind: Int
  /// Commits reachable from ``to`` but not from ``from``.
  package var commitsAhead: Int
  /// The newest of the commits ahead, newest first (as many as were asked for).
  package var commits: [Commit]
  /// The files whose content differs, in git's order.
  package var files: [FileChange]

  package init(
    from: String, to: String, mergeBase: String?, commitsBehind: Int, commitsAhead: Int, commits: [Commit],
    files: [FileChange]
  ) {
    self.from = from
    self.to = to
    self.mergeBase = mergeBase
    self.commitsBehind = commitsBehind
    self.commitsAhead = commitsAhead
    self.commits = commits
    self.files = files
  }

  /// Lines added over all text files.
  package var linesAdded: Int { files.reduce(0) { $0 + ($1.added ?? 0) } }
  /// Lines deleted over all text files.
  package var linesDeleted: Int { files.reduce(0) { $0 + ($1.deleted ?? 0) } }
}
