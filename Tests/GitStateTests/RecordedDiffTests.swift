import Foundation
import Testing
import TestSupport

@testable import GitState

#if canImport(Glibc)
import Glibc
#endif

/// The recorded diff against real git: reused (no process) exactly while nothing it depends on
/// changed, and every answer, reused or not, equal to `git status` and `git diff`.
@Suite("A dirty snapshot reuses the recorded diff while nothing changed")
struct RecordedDiffTests {
  /// Waits until files written before now are more than a second old (out of the racy window).
  func waitPastRacyWindow() { usleep(1_150_000) }

  func recordPath(_ repo: String) -> String { RecordedDiff.path(in: repo + "/.git/" + testRecordsFolder) }

  /// A clean, fast repository with `app.py` edited and out of the racy window, whose diff was
  /// just recorded (the second call reuses it).
  func recordedRepository(_ scratch: Scratch) throws -> String {
    let repo = try scratch.agedRepository(files: ["app.py": "v1\n", "lib/util.py": "u1\n", "lib/deep/more.py": "m1\n"])
    try scratch.expectFastClean(repo)
    try scratch.write("v2 longer\n", to: repo + "/app.py")
    waitPastRacyWindow()
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .recordedDiff)
    return repo
  }

  @Test("an unchanged dirty tree: the second call reuses the record, with git's exact diff, in a private file")
  func reused() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try recordedRepository(scratch)
    #expect(try scratch.expectSnapshotAgreement(repo) == .recordedDiff)
    // The snapshot the runtime reads takes the same path and returns the same bytes.
    let snapshot = try GitSnapshot.read(from: repo, options: .init(recordsFolder: testRecordsFolder), environment: scratch.environment)
    let repository = try GitRepository.discoverRecording(from: repo, environment: scratch.environment)
    let expected = try repository.diff(for: try scratch.gitStatus(repo))
    #expect(snapshot.isDirty && snapshot.diff == expected)
    var info = stat()
    #expect(lstat(recordPath(repo), &info) == 0 && info.st_mode & 0o777 == 0o600)
    #expect(lstat(repo + "/.git/mlflow-git", &info) == 0 && info.st_mode & 0o777 == 0o700)
    // The status alone is unaffected.
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "app.py") })
  }

  @Test("the changed file edited again, same size and modification time put back: the change time tells")
  func editedAgain() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try recordedRepository(scratch)
    var before = stat()
    lstat(repo + "/app.py", &before)
    try scratch.write("v3 longer\n", to: repo + "/app.py")
    try setModificationTime(of: repo + "/app.py", to: before.st_mtim.tv_sec, nanoseconds: before.st_mtim.tv_nsec)
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    waitPastRacyWindow()
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .recordedDiff, "recorded again once out of the racy window")
  }

  @Test("another file edited, or deleted: the changed set differs, not reused")
  func anotherFile() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try recordedRepository(scratch)
    try scratch.write("u2\n", to: repo + "/lib/util.py")
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    try scratch.git(["-C", repo, "checkout", "-q", "--", "lib/util.py"])
    try scratch.ageAndRefresh(repo)
    try scratch.expectAgreement(repo)  // the index changed: git status records it again
    try FileManager.default.removeItem(atPath: repo + "/lib/deep/more.py")
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
  }

  @Test("a deleted file stays deleted: its recorded \"missing\" is reused")
  func deletedFile() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository(files: ["app.py": "v1\n", "lib/util.py": "u1\n", "gone/file.py": "g1\n"])
    try scratch.expectFastClean(repo)
    try FileManager.default.removeItem(atPath: repo + "/lib/util.py")
    try FileManager.default.removeItem(atPath: repo + "/gone")  // its folder too
    waitPastRacyWindow()  // the repository's config, just written
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .recordedDiff)
    let record = try #require(RecordedDiff.read(in: repo + "/.git/" + testRecordsFolder))
    #expect(record.changes.map(\.stamp) == [nil, nil])
    // An empty folder put back: the file is still missing, the record still right.
    try FileManager.default.createDirectory(atPath: repo + "/gone", withIntermediateDirectories: true)
    #expect(try scratch.expectSnapshotAgreement(repo) == .recordedDiff)
    // A link to a folder holding the file: not "missing" any more, and git decides.
    try FileManager.default.removeItem(atPath: repo + "/gone")
    try scratch.write("g1\n", to: scratch.root + "/elsewhere/file.py")
    try FileManager.default.createSymbolicLink(atPath: repo + "/gone", withDestinationPath: scratch.root + "/elsewhere")
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
  }

  @Test("git add, or a new commit: the index or HEAD moved, not reused")
  func indexAndHead() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try recordedRepository(scratch)
    try scratch.git(["-C", repo, "commit", "-q", "--allow-empty", "-m", "empty"])
    #expect(try scratch.expectSnapshotAgreement(repo) != .recordedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff, "the record's HEAD is the old one")
    #expect(try scratch.expectSnapshotAgreement(repo) == .recordedDiff)

    try scratch.write("u2\n", to: repo + "/lib/util.py")
    try ageWorkTree(repo)
    try scratch.git(["-C", repo, "add", "lib/util.py"])
    #expect(fellBack(try scratch.expectSnapshotAgreement(repo)) { $0 == .indexChanged })
    #expect(fellBack(try scratch.expectSnapshotAgreement(repo)) { $0 == .indexChanged }, "staged: git status every time")
  }

  @Test("other exclusions: not reused, and the diff follows them")
  func otherExclusions() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try recordedRepository(scratch)
    try scratch.write("u2\n", to: repo + "/lib/util.py")
    waitPastRacyWindow()
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .recordedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo, excluding: ["lib/**"]) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo, excluding: ["lib/**"]) == .recordedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
  }

  @Test("git's config or an attributes file changed: not reused, and the diff follows them")
  func configAndAttributes() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try recordedRepository(scratch)
    let written = Date()
    try scratch.git(["-C", repo, "config", "diff.noprefix", "true"])
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    let second = try scratch.expectSnapshotAgreement(repo)
    if Date().timeIntervalSince(written) < 0.9 { #expect(second == .unstagedDiff, "a config file just written is racy too") }
    waitPastRacyWindow()
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .recordedDiff)
    try scratch.write("app.py diff=python\n", to: repo + "/.gitattributes")  // untracked, yet git reads it
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    waitPastRacyWindow()
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .recordedDiff)
    // An attribute that makes the file binary to git: its diff is made again with --binary each
    // time, never reused.
    try scratch.write("app.py -diff\n", to: repo + "/.gitattributes")
    waitPastRacyWindow()
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    // Config that includes other files is never recorded: they are not watched.
    try scratch.git(["-C", repo, "config", "include.path", "extra.config"])
    waitPastRacyWindow()
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
  }

  @Test("racy: a changed file written within a second of the record is never trusted")
  func racy() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    waitPastRacyWindow()  // the repository's config is old: only the edited file is racy
    let written = Date()
    try scratch.write("v2 longer\n", to: repo + "/app.py")
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    let second = try scratch.expectSnapshotAgreement(repo)
    if Date().timeIntervalSince(written) < 0.9 {  // a starved machine could take longer: then it may record
      #expect(second == .unstagedDiff)
      #expect(!FileManager.default.fileExists(atPath: recordPath(repo)))
    }
    // A modification time in the future stays racy, however old the change time.
    unlink(recordPath(repo))
    try setModificationTime(of: repo + "/app.py", to: Int(Date().timeIntervalSince1970) + 100)
    waitPastRacyWindow()
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(!FileManager.default.fileExists(atPath: recordPath(repo)))
    // A forged record of a racy state is not reused either.
    try setModificationTime(of: repo + "/app.py", to: Int(Date().timeIntervalSince1970) - 50)
    waitPastRacyWindow()
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    var record = try #require(RecordedDiff.read(in: repo + "/.git/" + testRecordsFolder))
    let changed = try #require(record.changes[0].stamp?.file)
    record.started = changed.changedSeconds * 1_000_000_000 + changed.changedNanoseconds + 500_000_000
    record.save(in: repo + "/.git/" + testRecordsFolder)
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .recordedDiff)
  }

  @Test("a diff over 1 MiB is never recorded")
  func largeDiff() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    try scratch.write(String(repeating: "a line of text that makes the diff large\n", count: 30_000), to: repo + "/app.py")
    waitPastRacyWindow()
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(!FileManager.default.fileExists(atPath: recordPath(repo)))
  }

  @Test("a garbage, truncated or foreign record is ignored and replaced")
  func garbageRecord() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try recordedRepository(scratch)
    let good = try #require(FileSystem.contents(of: recordPath(repo)))
    #expect(RecordedDiff(bytes: good)?.bytes == good, "round trip")
    for bad in [Array("garbage\n".utf8), Array(good.dropLast()), good + [0x0A], [], Array(good.prefix(40))] {
      try scratch.write(bad, to: recordPath(repo))
      #expect(RecordedDiff(bytes: bad) == nil)
      #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
      #expect(try scratch.expectSnapshotAgreement(repo) == .recordedDiff)
    }
    // Another HEAD's record, otherwise identical, is not this one.
    var other = try #require(RecordedDiff(bytes: good))
    other.head = String(repeating: "1", count: 40)
    other.save(in: repo + "/.git/" + testRecordsFolder)
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
  }

  @Test("a large index, checked in parallel: every changed file across the runs is recorded, in index order")
  func largeIndex() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    var files: [String: String] = [:]
    for number in 0..<2_400 { files["dir\(number % 12)/file\(number).txt"] = "line \(number)\n" }
    let repo = try scratch.agedRepository(files: files)
    try scratch.expectFastClean(repo)
    try scratch.write("changed\n", to: repo + "/dir0/file0.txt")
    try scratch.write("changed too\n", to: repo + "/dir11/file2399.txt")
    try FileManager.default.removeItem(atPath: repo + "/dir5/file1205.txt")
    waitPastRacyWindow()
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    #expect(try scratch.expectSnapshotAgreement(repo) == .recordedDiff)
    let record = try #require(RecordedDiff.read(in: repo + "/.git/" + testRecordsFolder))
    #expect(record.changes.map { String(decoding: $0.path, as: UTF8.self) } == ["dir0/file0.txt", "dir11/file2399.txt", "dir5/file1205.txt"])
    // A racily clean entry anywhere makes the list incomplete: git answers, nothing is reused.
    try scratch.write("racy\n", to: repo + "/dir3/file3.txt")
    try setModificationTime(of: repo + "/dir3/file3.txt", to: Int(Date().timeIntervalSince1970) + 100)
    try scratch.git(["-C", repo, "add", "dir3/file3.txt"])
    try scratch.git(["-C", repo, "commit", "-q", "-m", "racy"])
    #expect(try scratch.expectSnapshotAgreement(repo) != .recordedDiff)
    let repository = try GitRepository.discoverRecording(from: repo, environment: scratch.environment)
    let head = try scratch.git(["-C", repo, "rev-parse", "HEAD"])
    let check = repository.inProcessCleanCheck(head: head, collectingChanges: true)
    #expect(check.uncertainty == .changed(path: "dir0/file0.txt") && check.changes == nil)
    #expect(try scratch.expectSnapshotAgreement(repo) != .recordedDiff)
  }
}
