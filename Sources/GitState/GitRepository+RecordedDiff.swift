extension GitRepository {
  /// The diff a ``RecordedDiff`` holds, when it provably is what `git diff` would print now:
  /// the record is of `head`, the index `check` read, `exclusions` and `context`, and the
  /// changed files `check` found are exactly the recorded ones with equal stamps, none racy.
  ///
  /// - Parameter check: An in-process check of `head` that found only changed files
  ///   (``InProcessCleanCheck/changes`` set), so the index matches `HEAD` and every other entry
  ///   matches its stat data.
  func reusableRecordedDiff(
    head: String, check: InProcessCleanCheck, exclusions: [String], context: DiffContext
  ) -> GitDiff? {
    guard let changes = check.changes, let index = check.index,
      let records = recordsDirectory, let record = RecordedDiff.read(in: records),
      record.head == head, record.index == index, record.exclusions == exclusions, record.changes == changes,
      !record.isRacy, record.context == context
    else { return nil }
    return GitDiff(bytes: record.diff)
  }

  /// Records `diff`, just printed by `git diff` after `check` (run at `started`) stamped the
  /// changed files, when nothing it depends on moved while git ran: `HEAD`, the index, every
  /// changed file's stamp (a second check), and `context`. A diff over
  /// ``RecordedDiff/maxDiffBytes``, one with a binary file's patch, a racy file, or config
  /// naming unwatched files records nothing. Never fails the caller.
  func recordDiff(
    _ diff: GitDiff, head: String, check: InProcessCleanCheck, exclusions: [String], context: DiffContext,
    started: Int64
  ) {
    // A diff with a binary file's patch is not recorded: the record holds one diff.
    guard !diff.isEmpty, diff.patch == nil, diff.bytes.count <= RecordedDiff.maxDiffBytes, let changes = check.changes,
      let index = check.index, let records = recordsDirectory
    else { return }
    let record = RecordedDiff(
      head: head, index: index, exclusions: exclusions, started: started, context: context, changes: changes,
      diff: diff.bytes)
    guard !record.isRacy, DiffContext.allowsRecording(for: self) else { return }
    let after = inProcessCleanCheck(head: head, collectingChanges: true)
    guard case .changed? = after.uncertainty, after.changes == changes, after.index == index,
      readHeadFromFiles()?.commit == head, DiffContext.current(for: self, changes: changes) == context
    else { return }
    record.save(in: records)
  }
}
