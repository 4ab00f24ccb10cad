package import GitState
package import GitVersioning
package import MLflowStore

/// Two versions of an app side by side: what changed in the code (from `git`, and the recorded
/// diff of a dirty version) and what the app did (from the traces linked to each version in
/// its store) — the data behind `mlflow-git compare` and its reports (``TerminalReport``,
/// ``MarkdownReport``, ``JSONReport``, ``HTMLReport``).
///
/// # Usage
/// ```swift
/// let comparison = try await VersionComparison.make(a: .mergeBase, b: .currentState, options: options)
/// print(TerminalReport(comparison).text)
/// ```
package struct VersionComparison: Sendable {
  /// The version compared from.
  package var a: ComparedVersion
  /// The version compared to.
  package var b: ComparedVersion
  /// The store both were looked up in, credentials removed.
  package var trackingURI: String
  /// Which traces count.
  package var window: TraceWindow
  /// What changed in the code; `nil` when `git` cannot tell (see ``notes``).
  package var code: CodeChanges?
  /// What each version's traces did; `nil` for a side whose traces could not be read (see
  /// ``storeProblem`` and ``notes``).
  package var behaviour: (a: TraceStatistics?, b: TraceStatistics?)
  /// Things the reader should know: a side registered now, sides in different experiments,
  /// a side not in the store yet, commits missing from this clone.
  package var notes: [String]
  /// Why no traces could be read, when the store is not available.
  package var storeProblem: String?

  package init(
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
package struct TraceWindow: Sendable, Hashable {
  /// Milliseconds since the Unix epoch, inclusive; `nil` for no lower bound.
  package var since: Int64?
  /// Milliseconds since the Unix epoch, exclusive; `nil` for no upper bound.
  package var until: Int64?

  package init(since: Int64? = nil, until: Int64? = nil) {
    self.since = since
    self.until = until
  }
}

/// What changed in the code from version A to version B.
package struct CodeChanges: Sendable, Hashable {
  /// Commits and files between the two commits (`git`).
  package var revisions: RevisionComparison
  /// A's recorded uncommitted changes, when A is dirty.
  package var uncommittedA: UncommittedChanges?
  /// B's recorded uncommitted changes, when B is dirty.
  package var uncommittedB: UncommittedChanges?

  package init(revisions: RevisionComparison, uncommittedA: UncommittedChanges?, uncommittedB: UncommittedChanges?) {
    self.revisions = revisions
    self.uncommittedA = uncommittedA
    self.uncommittedB = uncommittedB
  }
}

/// A dirty version's recorded diff against its commit: its size, digest and files.
package struct UncommittedChanges: Sendable, Hashable {
  /// The diff's size in bytes.
  package var bytes: Int
  /// Its SHA-256 in lowercase hex (the `mlflow_git.diff.sha256` tag of versions mlflow-git registers).
  package var sha256: String
  /// The files it changes, with their lines.
  package var files: [RevisionComparison.FileChange]

  /// The facts of `version`'s diff, or `nil` for a clean version.
  package init?(_ version: GitVersion) {
    guard version.isDirty, let diff = version.diff, let digest = version.diffDigest else { return nil }
    bytes = diff.count
    sha256 = digest
    files = GitDiff(bytes: diff).fileChanges
  }
}
