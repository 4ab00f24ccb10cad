/// Whether the work tree differs from `HEAD`, by MLflow's definition of dirty.
///
/// Tracked changes only: staged or unstaged edits, deletions, renames, mode changes and a moved
/// submodule pointer count; untracked files never do. One `git status` process answers it.
public struct WorkingTreeStatus: Sendable, Hashable {
  /// The index differs from `HEAD` (what `git diff --cached` shows).
  public var hasStagedChanges: Bool
  /// The work tree differs from the index in tracked files (what `git diff` shows).
  public var hasUnstagedChanges: Bool

  public init(hasStagedChanges: Bool, hasUnstagedChanges: Bool) {
    self.hasStagedChanges = hasStagedChanges
    self.hasUnstagedChanges = hasUnstagedChanges
  }

  /// `true` when anything tracked changed.
  public var isDirty: Bool { hasStagedChanges || hasUnstagedChanges }

  /// Parses `git status --porcelain` (v1) output: `XY path` lines, X the staged side, Y the
  /// unstaged side. Paths with odd characters are quoted by git, so one line is one entry.
  init(porcelain output: [UInt8]) {
    var staged = false
    var unstaged = false
    for line in output.split(separator: UInt8(ascii: "\n")) where line.count >= 2 {
      let x = line[line.startIndex]
      let y = line[line.startIndex + 1]
      if x == UInt8(ascii: "?") || x == UInt8(ascii: "!") { continue }
      if x != UInt8(ascii: " ") { staged = true }
      if y != UInt8(ascii: " ") { unstaged = true }
    }
    self.init(hasStagedChanges: staged, hasUnstagedChanges: unstaged)
  }
}

extension GitRepository {
  /// Checks for tracked changes with one `git status --porcelain --untracked-files=no`.
  ///
  /// Git refreshes its stat cache in memory, so a file that was only touched is not dirty;
  /// `--no-optional-locks` keeps the index file untouched, so this never contends with a
  /// concurrent `git commit`.
  public func status() throws(GitStateError) -> WorkingTreeStatus {
    WorkingTreeStatus(porcelain: try git.run(["status", "--porcelain", "--untracked-files=no"]))
  }
}
