import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Proves that no tracked work-tree file changed since the index recorded it, from `lstat`
/// data alone, or says which entry it cannot vouch for.
///
/// The comparison is git's `ie_match_stat` made stricter, so "unchanged" here implies git finds
/// no unstaged change either (whichever way git was built):
/// - skip-worktree entries are skipped and assume-valid entries taken as unchanged, as git does;
/// - the file type must match exactly (no `core.symlinks=false` stand-ins), and the owner
///   executable bit too unless `core.fileMode` is false;
/// - mtime and ctime to the nanosecond, device, inode, owner, group and the exact size must equal
///   the index's (git without `USE_NSEC`, as Debian builds it, compares whole seconds only);
/// - an entry whose mtime second is not before the index file's (git's racy-git rule at its
///   coarsest) and a size-0 entry that is not the empty blob (git's "smudged" entry) count as
///   changed, because only their content could tell;
/// - every leading directory must be a real directory, not a symbolic link (git treats a path
///   behind a symbolic link as deleted); files are stat'ed through directory descriptors, each
///   directory opened once.
struct WorkTreeStatCheck {
  /// The top of the work tree.
  let workTree: String
  /// `core.fileMode`: compare the owner executable bit.
  let trustsExecutableBit: Bool
  /// The index file's modification time, whole seconds.
  let indexModifiedSeconds: Int64

  /// `nil` when every entry is unchanged; otherwise why an uncertain one is (the first one, when
  /// the index is small enough to be checked on one thread).
  ///
  /// Large indexes are split into contiguous runs checked in parallel, one per processor (at
  /// most 8, at least 1,000 entries each), as git's `preload-index` does: the cost is almost all
  /// the kernel's path lookups, which scale with cores. A run that finds an uncertainty stops
  /// the others.
  func firstUncertainty(in index: GitIndexFile) -> StatusFallbackReason? {
    run(index, collecting: false).uncertainty
  }

  /// The same check, going on past changed entries to list them all with their `lstat` stamps
  /// (the way ``RecordedDiff`` pins a dirty tree). `changes` is `nil` unless every uncertain entry
  /// is a plain changed or missing file: any other uncertainty, or a path that cannot be reached
  /// through plain directories, stops the check and leaves the tree to git.
  func uncertaintyAndChanges(in index: GitIndexFile) -> (uncertainty: StatusFallbackReason?, changes: [ChangedEntry]?) {
    let (uncertainty, collector) = run(index, collecting: true)
    return (uncertainty, uncertainty == nil ? nil : collector?.entries)
  }

  /// Runs the check on one thread or several (see ``firstUncertainty(in:)``).
  private func run(_ index: GitIndexFile, collecting: Bool) -> (uncertainty: StatusFallbackReason?, collector: ChangeCollector?) {
    let count = index.entries.count
    var single: ChangeCollector? = collecting ? ChangeCollector() : nil
    if count < 2_000 {
      let found = scan(index, 0..<count, stop: nil, collector: &single)
      return (found, single)
    }
    let processors = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))  // reads /sys: only when it matters
    let workers = min(processors, count / 1_000, 8)
    if workers == 1 {
      let found = scan(index, 0..<count, stop: nil, collector: &single)
      return (found, single)
    }

    let stop = StopSignal()
    let results = ResultSlots<StatusFallbackReason?>(count: workers, initial: nil)
    let collectors = ResultSlots<ChangeCollector?>(count: workers, initial: nil)
    defer {
      results.deallocate()
      collectors.deallocate()
    }
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let range = (count * worker / workers)..<(count * (worker + 1) / workers)
      var collector: ChangeCollector? = collecting ? ChangeCollector() : nil
      let found = scan(index, range, stop: stop, collector: &collector)
      // While collecting, only an uncertainty that is not a plain change stops the other runs.
      if found != nil && (!collecting || collector == nil) { stop.flag.store(true, ordering: .relaxed) }
      results.slots[worker] = found
      collectors.slots[worker] = collector
    }
    let uncertainty = results.slots.first { $0 != nil } ?? nil
    guard collecting, collectors.slots.allSatisfy({ $0 != nil }) else { return (uncertainty, nil) }
    var merged = ChangeCollector()
    for collector in collectors.slots { merged.entries += collector?.entries ?? [] }
    return (uncertainty, merged)
  }

  /// Checks the entries in `range`; `nil` when all are unchanged (or `stop` was raised first).
  ///
  /// With a `collector`, a changed or missing file is listed in it and the scan goes on; the
  /// result is then the first changed entry's reason. Any other uncertainty, or `stop`, ends the
  /// scan and sets `collector` to `nil`.
  private func scan(
    _ index: GitIndexFile, _ range: Range<Int>, stop: StopSignal?, collector: inout ChangeCollector?
  ) -> StatusFallbackReason? {
    let root = open(workTree, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard root >= 0 else {
      collector = nil
      return .changed(path: "")
    }
    var directories = DirectoryStack(root: root)
    defer { directories.closeAll() }
    let indexSeconds = UInt32(truncatingIfNeeded: indexModifiedSeconds)
    let emptyBlob: [UInt8] = index.hashSize == 20 ? GitIndexFile.emptyBlobSHA1 : GitIndexFile.emptyBlobSHA256
    let slash = UInt8(ascii: "/")

    let collecting = collector != nil
    var changes: [ChangedEntry] = []
    var firstChange: StatusFallbackReason?
    var stopped = false
    let found = index.names.withUnsafeBufferPointer { names -> StatusFallbackReason? in
      var leaf: [CChar] = Array(repeating: 0, count: 256)
      for position in range {
        if let stop, position & 255 == 0, stop.flag.load(ordering: .relaxed) {
          stopped = true
          return nil
        }
        let entry = index.entries[position]
        func path() -> String { String(decoding: names[entry.nameRange], as: UTF8.self) }
        /// Lists a changed entry while collecting (`stamp` `nil`: missing); `false` when the
        /// scan must stop with `.changed`.
        func listChange(_ stamp: PathStamp?) -> Bool {
          guard collecting else { return false }
          if firstChange == nil { firstChange = .changed(path: path()) }
          changes.append(ChangedEntry(path: Array(names[entry.nameRange]), stamp: stamp))
          return true
        }
        if entry.isIntentToAdd { return .intentToAdd(path: path()) }
        if entry.stage != 0 { return .unmerged(path: path()) }
        if entry.isSkipWorktree || entry.isAssumedValid { continue }
        let expectedType: mode_t
        switch entry.mode {
        case 0o100644, 0o100755: expectedType = S_IFREG
        case 0o120000: expectedType = S_IFLNK
        case 0o160000: return .gitlink(path: path())
        default: return .unusualMode(path: path())
        }
        if entry.mtimeSeconds >= indexSeconds { return .racy(path: path()) }
        if entry.size == 0 && !index.objectID(of: entry).elementsEqual(emptyBlob) { return .racy(path: path()) }

        let name = UnsafeBufferPointer(rebasing: names[entry.nameRange])
        var leafStart = name.count
        while leafStart > 0 && name[leafStart - 1] != slash { leafStart -= 1 }
        let leafName = UnsafeBufferPointer(rebasing: name[leafStart...])
        guard isPlainComponent(leafName) else { return .changed(path: path()) }
        guard let directory = directories.descend(to: UnsafeBufferPointer(rebasing: name[..<leafStart])) else {
          // Only a missing directory is a plain "missing file"; a symbolic link or a file in
          // the way is left to git.
          if directories.failure == ENOENT && listChange(nil) { continue }
          return .changed(path: path())
        }
        if leaf.count <= leafName.count { leaf = Array(repeating: 0, count: leafName.count + 1) }
        leaf.withUnsafeMutableBufferPointer { buffer in
          buffer.withMemoryRebound(to: UInt8.self) { bytes in
            _ = bytes.initialize(from: leafName)
            bytes[leafName.count] = 0
          }
        }
        var info = stat()
        guard fstatat(directory, leaf, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
          if errno == ENOENT && listChange(nil) { continue }
          return .changed(path: path())
        }
        guard info.st_mode & S_IFMT == expectedType,
          !trustsExecutableBit || expectedType != S_IFREG || (UInt32(info.st_mode) ^ entry.mode) & 0o100 == 0,
          matches(entry, info)
        else {
          if listChange(PathStamp(info)) { continue }
          return .changed(path: path())
        }
      }
      return nil
    }
    guard collecting else { return found }
    if found != nil || stopped {
      // Not a plain change, or another run's uncertainty stopped this one: nothing recordable.
      collector = nil
      return firstChange ?? found
    }
    collector?.entries = changes
    return firstChange
  }

  /// The stat fields git records, all compared (git's `match_stat_data` with `core.checkStat`
  /// default and `core.trustctime` true, plus nanoseconds and the device).
  private func matches(_ entry: GitIndexFile.Entry, _ info: stat) -> Bool {
    let stamp = FileStamp(info)
    return entry.mtimeSeconds == UInt32(truncatingIfNeeded: stamp.modifiedSeconds)
      && entry.mtimeNanoseconds == UInt32(truncatingIfNeeded: stamp.modifiedNanoseconds)
      && entry.ctimeSeconds == UInt32(truncatingIfNeeded: stamp.changedSeconds)
      && entry.ctimeNanoseconds == UInt32(truncatingIfNeeded: stamp.changedNanoseconds)
      && entry.inode == UInt32(truncatingIfNeeded: stamp.inode)
      && entry.device == UInt32(truncatingIfNeeded: stamp.device)
      && entry.uid == UInt32(truncatingIfNeeded: info.st_uid)
      && entry.gid == UInt32(truncatingIfNeeded: info.st_gid)
      && Int64(entry.size) == stamp.size
  }
}

/// Raised by the first parallel run that finds an uncertainty, so the others stop early.
private final class StopSignal: Sendable {
  let flag = Atomic<Bool>(false)
}

/// What a scan that goes on past changed entries found: each one with its stamp.
private struct ChangeCollector: Sendable {
  var entries: [ChangedEntry] = []
}

/// One result per parallel run, each written by its own run only.
private struct ResultSlots<Element>: @unchecked Sendable {
  let slots: UnsafeMutableBufferPointer<Element>

  init(count: Int, initial: Element) {
    slots = .allocate(capacity: count)
    slots.initialize(repeating: initial)
  }

  func deallocate() {
    _ = slots.deinitialize()
    slots.deallocate()
  }
}

/// A path component git would write: not empty, `.`, `..` or `.git` (in any case).
private func isPlainComponent(_ component: UnsafeBufferPointer<UInt8>) -> Bool {
  switch component.count {
  case 0: return false
  case 1: return component[0] != UInt8(ascii: ".")
  case 2: return !(component[0] == UInt8(ascii: ".") && component[1] == UInt8(ascii: "."))
  case 4:
    return !(component[0] == UInt8(ascii: ".") && component[1] | 0x20 == UInt8(ascii: "g")
      && component[2] | 0x20 == UInt8(ascii: "i") && component[3] | 0x20 == UInt8(ascii: "t"))
  default: return true
  }
}

/// Open descriptors for the directories leading to the current entry, reused while consecutive
/// (sorted) entries share them. Each is opened with `O_NOFOLLOW`, so a symbolic link where a
/// directory was fails, as git's leading-path check does.
private struct DirectoryStack {
  /// `descriptors[0]` is the work tree; `descriptors[i]` the directory `prefix[..<ends[i]]`.
  var descriptors: [Int32]
  var ends: [Int] = [0]
  /// The current directory relative to the work tree, with a trailing `/` (empty at the top).
  var prefix: [UInt8] = []
  var component: [CChar] = Array(repeating: 0, count: 256)
  /// Why the last ``descend(to:)`` returned `nil`: the failed `openat`'s `errno`, or `EINVAL`
  /// for a component that is not a plain name.
  var failure: Int32 = 0

  init(root: Int32) { descriptors = [root] }

  /// The descriptor of `directory` (a relative path ending in `/`, or empty), or `nil` when a
  /// component is missing, not a directory, a symbolic link, or not a plain name.
  mutating func descend(to directory: UnsafeBufferPointer<UInt8>) -> Int32? {
    if directory.count == prefix.count && prefix.withUnsafeBufferPointer({ $0.elementsEqual(directory) }) {
      return descriptors[descriptors.count - 1]
    }
    var common = 0
    let shorter = min(directory.count, prefix.count)
    while common < shorter && directory[common] == prefix[common] { common += 1 }
    while ends[ends.count - 1] > common {
      close(descriptors.removeLast())
      ends.removeLast()
    }
    prefix.removeSubrange(ends[ends.count - 1]...)
    var start = prefix.count
    while start < directory.count {
      var end = start
      while directory[end] != UInt8(ascii: "/") { end += 1 }  // `directory` ends in "/"
      let name = UnsafeBufferPointer(rebasing: directory[start..<end])
      guard isPlainComponent(name) else {
        failure = EINVAL
        return nil
      }
      if component.count <= name.count { component = Array(repeating: 0, count: name.count + 1) }
      component.withUnsafeMutableBufferPointer { buffer in
        buffer.withMemoryRebound(to: UInt8.self) { bytes in
          _ = bytes.initialize(from: name)
          bytes[name.count] = 0
        }
      }
      let opened = openat(descriptors[descriptors.count - 1], component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      guard opened >= 0 else {
        failure = errno
        return nil
      }
      descriptors.append(opened)
      prefix.append(contentsOf: directory[start...end])
      ends.append(prefix.count)
      start = end + 1
    }
    return descriptors[descriptors.count - 1]
  }

  func closeAll() {
    for descriptor in descriptors { close(descriptor) }
  }
}

extension GitIndexFile {
  /// The id of the empty blob, which a size-0 entry must have unless git smudged it.
  static let emptyBlobSHA1: [UInt8] = hexBytes("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
  static let emptyBlobSHA256: [UInt8] = hexBytes("473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813")
}
