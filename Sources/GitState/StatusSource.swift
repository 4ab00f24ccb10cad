/// Which check answered a dirty-state query: the in-process check, or `git status` and why.
///
/// For tests and benchmarks; callers of ``GitRepository/status()`` get the same answer either way.
package enum StatusSource: Sendable, Hashable, CustomStringConvertible {
  /// The index, a record that it matches `HEAD`, and the work tree's `lstat` data proved the
  /// tree clean without a process.
  case inProcess
  /// One `git status --porcelain --untracked-files=no` answered, because the in-process check
  /// could not be certain.
  case gitStatus(StatusFallbackReason)
  /// The index still matched `HEAD` but a file changed: one non-empty `git diff` proved the
  /// tree dirty with unstaged changes only, and gave the diff.
  case unstagedDiff
  /// As ``unstagedDiff``, but nothing that diff depends on changed since it was computed, so
  /// the recorded diff (``RecordedDiff``) answered without a process.
  case recordedDiff

  package var description: String {
    switch self {
    case .inProcess: "in-process"
    case .gitStatus(let reason): "git status (\(reason))"
    case .unstagedDiff: "git diff (index matches HEAD, a file changed)"
    case .recordedDiff: "recorded diff (nothing changed since git diff)"
    }
  }
}

/// Why the in-process dirty check handed the question to `git status`.
///
/// Every case is "not certain that the tree is clean": a changed file, a state the check does
/// not model, or no proof that the index matches `HEAD`.
package enum StatusFallbackReason: Sendable, Hashable, CustomStringConvertible {
  /// `HEAD` could not be read from the files (unborn branch, reftable, unknown content).
  case headUnreadable
  /// No readable record that the index matches `HEAD`'s tree.
  case noRecord
  /// `HEAD` is not the commit the record was made for.
  case headChanged
  /// The index file is not the one the record was made for (rewritten since).
  case indexChanged
  /// The index file is missing or unreadable.
  case indexUnreadable
  /// The index has no checksum to identify it by (`index.skipHash`).
  case indexWithoutChecksum
  /// The index is not in a format this reader knows (version, corruption).
  case indexFormat(String)
  /// The index has an extension that changes what its entries mean (`link`: split index,
  /// `sdir`: sparse index, `FSMN`: file system monitor, or an unknown required one).
  case indexExtension(String)
  /// A setting makes git compare files differently (`core.fsmonitor`, `core.ignoreStat`,
  /// `core.checkStat`), or a config file could not be read.
  case config(String)
  /// An unresolved merge conflict (an entry at stage 1–3).
  case unmerged(path: String)
  /// A path added with `git add --intent-to-add`.
  case intentToAdd(path: String)
  /// A submodule (gitlink entry): its state needs its own repository.
  case gitlink(path: String)
  /// An entry mode other than a regular file, an executable or a symbolic link.
  case unusualMode(path: String)
  /// The file's recorded time is not older than the index (git's racy-git rule): its content
  /// may have changed without its stat data showing it.
  case racy(path: String)
  /// The file's stat data differs from the index, or it is missing or not reachable through
  /// plain directories.
  case changed(path: String)

  package var description: String {
    switch self {
    case .headUnreadable: "HEAD not readable from files"
    case .noRecord: "no record that the index matches HEAD"
    case .headChanged: "HEAD changed since the record"
    case .indexChanged: "index changed since the record"
    case .indexUnreadable: "index missing or unreadable"
    case .indexWithoutChecksum: "index has no checksum"
    case .indexFormat(let detail): "index format: \(detail)"
    case .indexExtension(let signature): "index extension \(signature)"
    case .config(let key): "config \(key)"
    case .unmerged(let path): "unmerged \(path)"
    case .intentToAdd(let path): "intent-to-add \(path)"
    case .gitlink(let path): "submodule \(path)"
    case .unusualMode(let path): "unusual mode \(path)"
    case .racy(let path): "racily clean \(path)"
    case .changed(let path): "stat changed \(path)"
    }
  }
}
