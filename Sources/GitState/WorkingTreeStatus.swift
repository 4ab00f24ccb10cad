/// Whether the work tree differs from `HEAD`, by MLflow's definition of dirty.
///
/// Tracked changes only: staged or unstaged edits, deletions, renames, mode changes and a moved
/// submodule pointer count; untracked files never do. A clean tree is usually proved without a
/// process; otherwise one `git status` answers (see ``GitRepository/status()``).
public struct WorkingTreeStatus: Sendable, Hashable {
  /// The index differs from `HEAD` (what `git diff --cached` shows).
  public var hasStagedChanges: Bool
  /// The work tree differs from the index in tracked files (what `git diff` shows).
  public var hasUnstagedChanges: Bool

  package init(hasStagedChanges: Bool, hasUnstagedChanges: Bool) {
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
  /// Checks for tracked changes, by MLflow's definition of dirty.
  ///
  /// A clean tree is proved in-process, without spawning anything: a record that the index
  /// matched `HEAD` when `git status` last looked (kept in the records folder, ``GitRepository/recordsFolder``), the index
  /// entries, and the work tree's `lstat` data compared the way git compares them. Whenever that
  /// cannot be certain — a changed or racily clean file, a new commit or index, a merge, a
  /// submodule, a split or sparse index, `core.fsmonitor` — one `git status --porcelain
  /// --untracked-files=no` answers instead, and refreshes the record when it finds nothing
  /// staged. Either way the answer is `git status`'s.
  ///
  /// Git refreshes its stat cache in memory, so a file that was only touched is not dirty;
  /// `--no-optional-locks` keeps the index file untouched, so this never contends with a
  /// concurrent `git commit`.
  public func status() throws(GitStateError) -> WorkingTreeStatus {
    try statusReport().status
  }

  /// The status and which check answered it.
  ///
  /// - Parameter head: The commit `HEAD` resolves to, when the caller has just read it;
  ///   `nil` reads it from the files.
  package func statusReport(head knownHead: String? = nil) throws(GitStateError) -> (
    status: WorkingTreeStatus, source: StatusSource
  ) {
    let head = knownHead ?? readHeadFromFiles()?.commit
    let check = head.map { inProcessCleanCheck(head: $0) } ?? InProcessCleanCheck(uncertainty: .headUnreadable)
    return try statusReport(head: head, check: check)
  }

  /// The status, the diff when dirty, and which check answered, with as few processes as
  /// possible. When the in-process check finds a changed file while the index still matches
  /// `HEAD` (nothing can be staged), one `git diff` answers both: a non-empty diff means
  /// unstaged changes only. An empty one (a file touched, or its change excluded) leaves the
  /// answer to `git status`, as does every other uncertainty.
  ///
  /// A non-empty diff found that way is recorded (``RecordedDiff``), with the stamp of every
  /// changed file; while `HEAD`, the index, the exclusions, git's config and those stamps stay
  /// exactly the same, the next call returns the recorded diff without any process.
  ///
  /// - Parameters:
  ///   - head: The commit `HEAD` resolves to, just read by the caller.
  ///   - exclusions: Paths kept out of the diff, as git pathspecs.
  package func statusAndDiff(head: String, excluding exclusions: [String]) throws(GitStateError) -> (
    status: WorkingTreeStatus, diff: GitDiff?, source: StatusSource
  ) {
    let started = RecordedDiff.now()
    let check = inProcessCleanCheck(head: head, collectingChanges: true)
    if case .changed? = check.uncertainty {
      let unstagedOnly = WorkingTreeStatus(hasStagedChanges: false, hasUnstagedChanges: true)
      let context = check.changes.flatMap { DiffContext.current(for: self, changes: $0) }
      if let context, let recorded = reusableRecordedDiff(head: head, check: check, exclusions: exclusions, context: context) {
        return (unstagedOnly, recorded, .recordedDiff)
      }
      let diff = try diff(for: unstagedOnly, excluding: exclusions)
      if !diff.isEmpty {
        if let context {
          recordDiff(diff, head: head, check: check, exclusions: exclusions, context: context, started: started)
        }
        return (unstagedOnly, diff, .unstagedDiff)
      }
    }
    let (status, source) = try statusReport(head: head, check: check)
    return (status, status.isDirty ? try diff(for: status, excluding: exclusions) : nil, source)
  }

  /// The status after the in-process `check` of `head`: its answer when it is certain, else
  /// `git status`'s.
  private func statusReport(head: String?, check: InProcessCleanCheck) throws(GitStateError) -> (
    status: WorkingTreeStatus, source: StatusSource
  ) {
    if head != nil && check.uncertainty == nil {
      return (WorkingTreeStatus(hasStagedChanges: false, hasUnstagedChanges: false), .inProcess)
    }
    let before = head.flatMap {
      check.index ?? IndexFingerprint.of(indexAt: indexPath, hashSize: GitRepository.hashSize(ofObjectID: $0))
    }
    let status = WorkingTreeStatus(porcelain: try git.run(["status", "--porcelain", "--untracked-files=no"]))
    if !status.hasStagedChanges, let head, let before {
      refreshIndexHeadRecord(head: head, index: before, previous: check.record)
    }
    return (status, .gitStatus(check.uncertainty ?? .headUnreadable))
  }

  /// Records that the index `index` matched `head`, after a `git status` that found nothing
  /// staged, when neither changed while it ran (so `index` is the file git read).
  private func refreshIndexHeadRecord(head: String, index: IndexFingerprint, previous: IndexHeadRecord?) {
    let record = IndexHeadRecord(head: head, index: index)
    guard let records = recordsDirectory, record != previous, index.checksum.utf8.contains(where: { $0 != UInt8(ascii: "0") }),
      IndexFingerprint.of(indexAt: indexPath, hashSize: GitRepository.hashSize(ofObjectID: head)) == index,
      readHeadFromFiles()?.commit == head
    else { return }
    record.save(in: records)
  }
}
