/// The in-process answer to "is the work tree clean?": certain "clean", or the reason it cannot
/// be certain, with what it read on the way (so the `git status` fallback can refresh the
/// record without reading it again).
///
/// Clean takes three proofs, cheapest first:
/// 1. the index matches `HEAD`'s tree: the ``IndexHeadRecord`` file holds exactly the record of
///    this `HEAD` and this index file (a byte comparison; no object is read);
/// 2. nothing in the index or config changes what a stat comparison means (see
///    ``StatCheckSettings`` and the extensions below);
/// 3. every work-tree file is unchanged by its `lstat` data (``WorkTreeStatCheck``).
struct InProcessCleanCheck: Sendable {
  /// `nil` when the tree is certainly clean.
  var uncertainty: StatusFallbackReason?
  /// The record as read, when there is one.
  var record: IndexHeadRecord?
  /// The index's fingerprint as read, when it was read.
  var index: IndexFingerprint?
  /// When asked for, and every uncertainty was a changed or missing file: each such entry with
  /// its stamp, in index order (what a ``RecordedDiff`` pins).
  var changes: [ChangedEntry]?

  /// Extensions that only cache or remember things, which do not change what entries mean.
  static let harmlessExtensions: Set<String> = ["TREE", "REUC", "UNTR", "EOIE", "IEOT"]
}

extension GitRepository {
  /// The index file the `git status` fallback reads: `GitCommand` removes `GIT_INDEX_FILE`, so
  /// it is always the worktree's own.
  var indexPath: String { gitDirectory + "/index" }

  /// Where this worktree's records are kept, when ``recordsFolder`` names a folder.
  var recordsDirectory: String? { recordsFolder.map { gitDirectory + "/" + $0 } }

  /// Runs the in-process clean check with `head` the commit `HEAD` resolves to.
  ///
  /// - Parameter collectingChanges: Go on past changed files to list them all in
  ///   ``InProcessCleanCheck/changes`` (the uncertainty is the same either way).
  func inProcessCleanCheck(head: String, collectingChanges: Bool = false) -> InProcessCleanCheck {
    var check = InProcessCleanCheck()
    check.uncertainty = findUncertainty(head: head, collectingChanges: collectingChanges, check: &check)
    return check
  }

  private func findUncertainty(
    head: String, collectingChanges: Bool, check: inout InProcessCleanCheck
  ) -> StatusFallbackReason? {
    guard isObjectID(head) else { return .headUnreadable }
    let hashSize = GitRepository.hashSize(ofObjectID: head)
    guard let records = recordsDirectory, let recorded = FileSystem.contents(of: IndexHeadRecord.path(in: records)) else {
      return .noRecord
    }
    guard let (bytes, fingerprint) = IndexFingerprint.readIndex(at: indexPath, hashSize: hashSize) else {
      return .indexUnreadable
    }
    check.index = fingerprint
    let expected = IndexHeadRecord(head: head, index: fingerprint)
    guard recorded == expected.bytes else {
      // Only now parse the record, to say what differs.
      guard let record = IndexHeadRecord(bytes: recorded) else { return .noRecord }
      check.record = record
      return record.head != head ? .headChanged : .indexChanged
    }
    check.record = expected
    guard fingerprint.checksum.utf8.contains(where: { $0 != UInt8(ascii: "0") }) else { return .indexWithoutChecksum }

    let settings = StatCheckSettings.read(for: self)
    if let unsupported = settings.unsupported { return unsupported }

    let index: GitIndexFile
    do {
      index = try GitIndexFile(bytes: bytes, hashSize: hashSize)
    } catch {
      return .indexFormat(error.description)
    }
    for signature in index.extensions where !InProcessCleanCheck.harmlessExtensions.contains(signature) {
      switch signature {
      case "link": return .indexExtension("link (split index)")
      case "sdir": return .indexExtension("sdir (sparse index)")
      case "FSMN": return .indexExtension("FSMN (file system monitor)")
      default:
        // An unknown extension starting with A–Z is optional, git ignores it; any other is required.
        guard let first = signature.utf8.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) else {
          return .indexExtension(signature)
        }
      }
    }
    let statCheck = WorkTreeStatCheck(
      workTree: workTree, trustsExecutableBit: settings.trustsExecutableBit,
      indexModifiedSeconds: fingerprint.stamp.modifiedSeconds)
    guard collectingChanges else { return statCheck.firstUncertainty(in: index) }
    let (uncertainty, changes) = statCheck.uncertaintyAndChanges(in: index)
    check.changes = changes
    return uncertainty
  }

  /// 32 for a SHA-256 id (64 hex digits), else 20 (SHA-1).
  static func hashSize(ofObjectID id: String) -> Int { id.utf8.count == 64 ? 32 : 20 }
}
