import GitState
import GitVersioning
import MLflowStore

/// Two versions of an app side by side: what changed in the code (from `git`, and the recorded
/// diff of a dirty version) and what the app did (from the traces linked to each version in
/// its store) — the data behind `mlflow-git compare` and its reports (``TerminalReport``,
/// ``MarkdownReport``, ``JSONReport``, ``HTMLReport``).
///
/// # Usage
/// ```swift
/// let comparison = try await VersionComparison.make(a: .mergeBase, b: .currentState)
/// print(TerminalReport(comparison).text)
/// ```
public struct VersionComparison: Sendable {
  /// The version compared from.
  public var a: ComparedVersion
  /// The version compared to.
  public var b: ComparedVersion
  /// The store both were looked up in, credentials removed.
  public var trackingURI: String
  /// Which traces count.
  public var window: TraceWindow
  /// What changed in the code; `nil` when `git` cannot tell (see ``notes``).
  public var code: CodeChanges?
  /// What each version's traces did; `nil` for a side whose traces could not be read (see
  /// ``storeProblem`` and ``notes``).
  public var behaviour: (a: TraceStatistics?, b: TraceStatistics?)
  /// Things the reader should know: a side registered now, sides in different experiments,
  /// a side not in the store yet, commits missing from this clone.
  public var notes: [String]
  /// Why no traces could be read, when the store is not available.
  public var storeProblem: String?

  public init(
    a: ComparedVersion, b: ComparedVersion, trackingURI: String, window: TraceWindow = TraceWindow(),
    code: CodeChanges?, behaviour: (a: TraceStatistics?, b: TraceStatistics?), notes: [String] = [],
    storeProblem: String? = nil
  ) {
    self.a = a
    self.b = b
    self.trackingURI = trackingURI
    self.window = window
    self.code = code
    self.behaviour = behaviour
    self.notes = notes
    self.storeProblem = storeProblem
  }
}

/// The traces a comparison counts: those that started in `[since, until)`.
public struct TraceWindow: Sendable, Hashable {
  /// Milliseconds since the Unix epoch, inclusive; `nil` for no lower bound.
  public var since: Int64?
  /// Milliseconds since the Unix epoch, exclusive; `nil` for no upper bound.
  public var until: Int64?

  public init(since: Int64? = nil, until: Int64? = nil) {
    self.since = since
    self.until = until
  }
}

/// What changed in the code from version A to version B.
public struct CodeChanges: Sendable, Hashable {
  /// Commits and files between the two commits (`git`).
  public var revisions: RevisionComparison
  /// A's recorded uncommitted changes, when A is dirty.
  public var uncommittedA: UncommittedChanges?
  /// B's recorded uncommitted changes, when B is dirty.
  public var uncommittedB: UncommittedChanges?

  public init(revisions: RevisionComparison, uncommittedA: UncommittedChanges?, uncommittedB: UncommittedChanges?) {
    self.revisions = revisions
    self.uncommittedA = uncommittedA
    self.uncommittedB = uncommittedB
  }
}

/// A dirty version's recorded diff against its commit: its size, digest and files.
public struct UncommittedChanges: Sendable, Hashable {
  /// The diff's size in bytes.
  public var bytes: Int
  /// Its SHA-256 in lowercase hex (the `mlflow_git.diff.sha256` tag of versions mlflow-git registers).
  public var sha256: String
  /// The files it changes, with their lines.
  public var files: [RevisionComparison.FileChange]

  /// The facts of `version`'s diff, or `nil` for a clean version.
  public init?(_ version: GitVersion) {
    guard version.isDirty, let diff = version.diff, let digest = version.diffDigest else { return nil }
    bytes = diff.count
    sha256 = digest
    files = GitDiff(bytes: diff).fileChanges
  }
}
