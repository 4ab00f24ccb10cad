import Foundation
import Testing
import TestSupport

@testable import GitState

#if canImport(Glibc)
import Glibc
#endif

/// Sets the modification (and access) time of `path` itself, not a link's target.
func setModificationTime(of path: String, to seconds: Int, nanoseconds: Int = 0) throws {
  var times = [timespec(tv_sec: seconds, tv_nsec: nanoseconds), timespec(tv_sec: seconds, tv_nsec: nanoseconds)]
  guard utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0 else {
    throw TestFailure("utimensat \(path): errno \(errno)")
  }
}

/// Moves the modification time of every file and link under `directory` (outside `.git`) that
/// is newer than 100 seconds 100 seconds into the past, so that an index written now holds no
/// racily clean entry. Older files are left alone, so their index entries stay valid.
func ageWorkTree(_ directory: String) throws {
  let past = Int(Date().timeIntervalSince1970) - 100
  let enumerator = FileManager.default.enumerator(atPath: directory)
  while let relative = enumerator?.nextObject() as? String {
    if relative == ".git" || relative.hasPrefix(".git/") || relative.hasSuffix("/.git") {
      enumerator?.skipDescendants()
      continue
    }
    let path = directory + "/" + relative
    var info = stat()
    guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR, info.st_mtim.tv_sec > past else { continue }
    try setModificationTime(of: path, to: past)
  }
}

extension Scratch {
  /// A repository with one commit of `files`, whose work-tree files are older than its index
  /// (no racily clean entries), so the in-process check can answer.
  @discardableResult
  func agedRepository(_ name: String = "repo", files: [String: String] = ["app.py": "v1\n", "lib/util.py": "u1\n"]) throws -> String {
    let path = root + "/" + name
    try git(["init", "-q", path])
    for (file, content) in files { try write(content, to: path + "/" + file) }
    try ageWorkTree(path)
    try git(["-C", path, "add", "-A"])
    try git(["-C", path, "commit", "-q", "-m", "first"])
    return path
  }

  /// Ages the work tree and lets git refresh the index's stat data (after a checkout that
  /// wrote files and index in the same second).
  func ageAndRefresh(_ path: String) throws {
    try ageWorkTree(path)
    _ = try? git(["-C", path, "update-index", "-q", "--refresh"])
  }

  /// What `git status --porcelain --untracked-files=no` says, run the way a user would but
  /// without refreshing the index file (which would change the state under test).
  func gitStatus(_ path: String, environment extra: [String: String] = [:]) throws -> WorkingTreeStatus {
    let output = try git(["-C", path, "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"], environment: extra)
    return WorkingTreeStatus(porcelain: Array(output.utf8))
  }

  /// Our status of the repository containing `path`, and which check answered.
  func ourStatus(_ path: String, environment: [String: String]? = nil) throws -> (status: WorkingTreeStatus, source: StatusSource) {
    try GitRepository.discoverRecording(from: path, environment: environment ?? self.environment).statusReport()
  }

  /// Asserts our status equals git's and returns which check answered.
  @discardableResult
  func expectAgreement(
    _ path: String, environment: [String: String]? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> StatusSource {
    let ours = try ourStatus(path, environment: environment)
    let theirs = try gitStatus(path)
    #expect(ours.status == theirs, "ours: \(ours.status) via \(ours.source), git: \(theirs)", sourceLocation: sourceLocation)
    return ours.source
  }

  /// Our status, diff and source for the repository at `repo`, checked against git's own status
  /// and diff; returns which check answered.
  func expectSnapshotAgreement(
    _ repo: String, excluding exclusions: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> StatusSource {
    let repository = try GitRepository.discoverRecording(from: repo, environment: environment)
    let head = try git(["-C", repo, "rev-parse", "HEAD"])
    let ours = try repository.statusAndDiff(head: head, excluding: exclusions)
    let theirs = try gitStatus(repo)
    #expect(ours.status == theirs, "ours \(ours.status) via \(ours.source), git \(theirs)", sourceLocation: sourceLocation)
    if theirs.isDirty {
      let expected = try repository.diff(for: theirs, excluding: exclusions)
      #expect(ours.diff == expected, "via \(ours.source)", sourceLocation: sourceLocation)
    } else {
      #expect(ours.diff == nil, sourceLocation: sourceLocation)
    }
    return ours.source
  }

  /// Runs the status twice: the first (no record yet, or a stale one) asks git and records;
  /// the second must be answered in-process and clean.
  func expectFastClean(_ path: String, environment: [String: String]? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
    try expectAgreement(path, environment: environment, sourceLocation: sourceLocation)
    let source = try expectAgreement(path, environment: environment, sourceLocation: sourceLocation)
    #expect(source == .inProcess, "answered by \(source)", sourceLocation: sourceLocation)
    #expect(try gitStatus(path).isDirty == false, sourceLocation: sourceLocation)
  }
}

/// `true` when `source` is a `git status` fallback whose reason satisfies `matches`.
func fellBack(_ source: StatusSource, _ matches: (StatusFallbackReason) -> Bool) -> Bool {
  if case .gitStatus(let reason) = source { return matches(reason) }
  return false
}

/// The records folder the tests' repositories keep their in-process records in: the one
/// mlflow-git gives GitState (`StateFolder.name`).
let testRecordsFolder = "mlflow-git"

extension GitRepository {
  /// The repository containing `directory`, keeping its in-process records in
  /// ``testRecordsFolder``, as mlflow-git's runtime reads it.
  static func discoverRecording(from directory: String, environment: [String: String]?) throws -> GitRepository {
    var repository = try discover(from: directory, environment: environment)
    repository.recordsFolder = testRecordsFolder
    return repository
  }
}
