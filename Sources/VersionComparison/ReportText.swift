import GitState
import GitVersioning

#if canImport(Glibc)
import Glibc
#endif

/// Text the terminal, Markdown and HTML reports share: how a side, the window and the code
/// changes are described.
enum ReportText {
  /// `main @ 93be08f`, `feature/x @ 1a2b3c4 + uncommitted changes`.
  static func state(_ side: ComparedVersion) -> String {
    "\(side.version.branch) @ \(side.version.commit.prefix(7))" + (side.version.isDirty ? " + uncommitted changes" : "")
  }

  /// `all traces`, or `traces from 2026-11-01 00:00 UTC to 2026-11-08 00:00 UTC`.
  static func window(_ window: TraceWindow) -> String {
    switch (window.since, window.until) {
    case (nil, nil): "all traces"
    case (let since?, nil): "traces since \(timestamp(since))"
    case (nil, let until?): "traces before \(timestamp(until))"
    case (let since?, let until?): "traces from \(timestamp(since)) to \(timestamp(until))"
    }
  }

  /// `2026-11-01 09:30 UTC` for milliseconds since the Unix epoch.
  static func timestamp(_ milliseconds: Int64) -> String {
    var seconds = time_t(milliseconds / 1000)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) "
      + "\(two(parts.tm_hour)):\(two(parts.tm_min)) UTC"
  }

  /// `+12 −3`, or `binary`.
  static func lines(_ file: RevisionComparison.FileChange) -> String {
    guard let added = file.added, let deleted = file.deleted else { return "binary" }
    return "+\(added) −\(deleted)"
  }

  /// `old → new` for a rename, else the path.
  static func path(_ file: RevisionComparison.FileChange) -> String {
    file.previousPath.map { "\($0) → \(file.path)" } ?? file.path
  }

  /// `2 files, +10 −2`.
  static func fileCount(_ files: [RevisionComparison.FileChange]) -> String {
    let added = files.reduce(0) { $0 + ($1.added ?? 0) }
    let deleted = files.reduce(0) { $0 + ($1.deleted ?? 0) }
    return "\(files.count) file\(files.count == 1 ? "" : "s"), +\(added) −\(deleted)"
  }

  /// The commits line: `3 commits in B not in A, 1 in A not in B (merge base 93be08f)`.
  static func commitCounts(_ revisions: RevisionComparison) -> String {
    let base = revisions.mergeBase.map { "merge base \($0.prefix(7))" } ?? "no common history"
    return "\(revisions.commitsAhead) commit\(revisions.commitsAhead == 1 ? "" : "s") in B not in A, "
      + "\(revisions.commitsBehind) in A not in B (\(base))"
  }
}
