import Foundation
import Testing
import TestSupport

@testable import GitState

#if canImport(Glibc)
import Glibc
#endif

/// The in-process dirty check against `git status --porcelain -uno`, scenario by scenario: the
/// answers must always be equal, and the fast path must be taken where it can be certain.
@Suite("In-process dirty check")
struct InProcessStatusTests {
  @Test("clean: the first check asks git and records, the next is in-process")
  func clean() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    let first = try scratch.expectAgreement(repo)
    #expect(first == .gitStatus(.noRecord))
    #expect(try scratch.expectAgreement(repo) == .inProcess)
    // The snapshot the runtime reads takes the same path.
    let snapshot = try GitSnapshot.read(from: repo, options: .init(recordsFolder: testRecordsFolder), environment: scratch.environment)
    #expect(!snapshot.isDirty)
  }

  @Test("modified content, a different size and the same size: git status answers, dirty")
  func modifiedContent() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    try scratch.write("v2 longer\n", to: repo + "/app.py")
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "app.py") })
    #expect(try scratch.gitStatus(repo).isDirty)

    try scratch.git(["-C", repo, "checkout", "-q", "--", "app.py"])
    try scratch.ageAndRefresh(repo)
    try scratch.expectFastClean(repo)
    try scratch.write("v9\n", to: repo + "/lib/util.py")  // same size as "u1\n"
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "lib/util.py") })
    #expect(try scratch.gitStatus(repo).isDirty)
  }

  @Test("same size and the old modification time put back: the change time still gives it away")
  func sameSizeSameMtime() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    var before = stat()
    lstat(repo + "/app.py", &before)
    try scratch.write("v2\n", to: repo + "/app.py")
    try setModificationTime(of: repo + "/app.py", to: before.st_mtim.tv_sec, nanoseconds: before.st_mtim.tv_nsec)
    let source = try scratch.expectAgreement(repo)
    #expect(fellBack(source) { $0 == .changed(path: "app.py") })
  }

  @Test("racy: an entry not older than the index is never trusted, changed or not")
  func racilyClean() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    // A file whose time is in the index's second or later: its stat data cannot prove its content.
    let future = Int(Date().timeIntervalSince1970) + 100
    try scratch.write("r1\n", to: repo + "/racy.txt")
    try setModificationTime(of: repo + "/racy.txt", to: future, nanoseconds: 5)
    try scratch.git(["-C", repo, "add", "racy.txt"])
    try scratch.git(["-C", repo, "commit", "-q", "-m", "racy"])
    try scratch.expectAgreement(repo)
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .racy(path: "racy.txt") })
    #expect(try scratch.gitStatus(repo).isDirty == false)
    // Changed within the same timestamp, same size, time put back: only the content differs.
    try scratch.write("r2\n", to: repo + "/racy.txt")
    try setModificationTime(of: repo + "/racy.txt", to: future, nanoseconds: 5)
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .racy(path: "racy.txt") })
    #expect(try scratch.gitStatus(repo).isDirty)
  }

  @Test("racy: files written and committed in the same second, then edited keeping size and time")
  func sameSecondCommit() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository(files: ["app.py": "v1\n"])  // files and index written at once
    try scratch.expectAgreement(repo)  // records that the index matches HEAD
    var before = stat()
    lstat(repo + "/app.py", &before)
    try scratch.write("v2\n", to: repo + "/app.py")
    try setModificationTime(of: repo + "/app.py", to: before.st_mtim.tv_sec, nanoseconds: before.st_mtim.tv_nsec)
    let source = try scratch.expectAgreement(repo)
    #expect(fellBack(source) { $0 == .racy(path: "app.py") || $0 == .changed(path: "app.py") })
  }

  @Test("touched but unchanged: git says clean; after git refreshes the index the fast path returns")
  func touched() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    try setModificationTime(of: repo + "/app.py", to: Int(Date().timeIntervalSince1970) - 50)
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "app.py") })
    #expect(try scratch.gitStatus(repo).isDirty == false)
    try scratch.git(["-C", repo, "update-index", "-q", "--refresh"])
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.indexChanged))
    #expect(try scratch.expectAgreement(repo) == .inProcess)
  }

  @Test("a staged change: the index no longer matches the record; nothing is recorded while staged")
  func stagedChange() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    let recordPath = IndexHeadRecord.path(in: repo + "/.git/" + testRecordsFolder)
    let recorded = try String(contentsOfFile: recordPath, encoding: .utf8)
    try scratch.write("v2\n", to: repo + "/app.py")
    try ageWorkTree(repo)
    try scratch.git(["-C", repo, "add", "app.py"])
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.indexChanged))
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.indexChanged))
    #expect(try scratch.gitStatus(repo) == WorkingTreeStatus(hasStagedChanges: true, hasUnstagedChanges: false))
    #expect(try String(contentsOfFile: recordPath, encoding: .utf8) == recorded)
  }

  @Test("staged, then the staged content put back: clean again, and fast again")
  func stagedThenUnstaged() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    try scratch.write("v2\n", to: repo + "/app.py")
    try ageWorkTree(repo)
    try scratch.git(["-C", repo, "add", "app.py"])
    #expect(try scratch.gitStatus(repo).hasStagedChanges)
    try scratch.write("v1\n", to: repo + "/app.py")
    try ageWorkTree(repo)
    try scratch.git(["-C", repo, "add", "app.py"])
    try scratch.expectFastClean(repo)
    // And with `git restore --staged` plus a checkout (files rewritten now: maybe racy, never wrong).
    try scratch.write("v3\n", to: repo + "/app.py")
    try scratch.git(["-C", repo, "add", "app.py"])
    try scratch.git(["-C", repo, "restore", "--staged", "app.py"])
    try scratch.git(["-C", repo, "checkout", "-q", "--", "app.py"])
    try scratch.expectAgreement(repo)
    try scratch.expectAgreement(repo)
  }

  @Test("chmod +x with core.fileMode true is dirty, with false clean; false ignores the bit in-process")
  func executableBit() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    chmod(repo + "/app.py", 0o755)
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "app.py") })
    #expect(try scratch.gitStatus(repo).hasUnstagedChanges)

    try scratch.git(["-C", repo, "config", "core.fileMode", "false"])
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "app.py") })
    #expect(try scratch.gitStatus(repo).isDirty == false)
    // Once git has refreshed the stat data (keeping mode 100644), the differing bit is ignored.
    // (Git compares whole seconds: a new mtime second makes sure it sees the entry as stale.)
    try setModificationTime(of: repo + "/app.py", to: Int(Date().timeIntervalSince1970) - 50)
    try scratch.git(["-C", repo, "update-index", "-q", "--refresh"])
    try scratch.expectFastClean(repo)

    try scratch.git(["-C", repo, "config", "core.fileMode", "true"])
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "app.py") })
    #expect(try scratch.gitStatus(repo).hasUnstagedChanges)
  }

  @Test("a symbolic link: clean in-process; retargeted or replaced by a file, dirty")
  func symbolicLink() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = scratch.root + "/repo"
    try scratch.git(["init", "-q", repo])
    try scratch.write("v1\n", to: repo + "/app.py")
    try scratch.write("other\n", to: repo + "/other.py")
    try FileManager.default.createSymbolicLink(atPath: repo + "/link", withDestinationPath: "app.py")
    try ageWorkTree(repo)
    try scratch.git(["-C", repo, "add", "-A"])
    try scratch.git(["-C", repo, "commit", "-q", "-m", "link"])
    try scratch.expectFastClean(repo)

    try FileManager.default.removeItem(atPath: repo + "/link")
    try FileManager.default.createSymbolicLink(atPath: repo + "/link", withDestinationPath: "other.py")
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "link") })
    #expect(try scratch.gitStatus(repo).hasUnstagedChanges)

    try FileManager.default.removeItem(atPath: repo + "/link")
    try scratch.write("app.py", to: repo + "/link")  // a file with the link's text: a type change
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "link") })
    #expect(try scratch.gitStatus(repo).hasUnstagedChanges)
  }

  @Test("a directory replaced by a symbolic link to its moved self: git says deleted, and so do we")
  func leadingSymbolicLink() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    // Files keep their inode and times when their folder is renamed, so only the path tells.
    try FileManager.default.moveItem(atPath: repo + "/lib", toPath: repo + "/lib2")
    try FileManager.default.createSymbolicLink(atPath: repo + "/lib", withDestinationPath: "lib2")
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "lib/util.py") })
    #expect(try scratch.gitStatus(repo).hasUnstagedChanges)
  }

  @Test("a deleted file is dirty")
  func deletedFile() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    try FileManager.default.removeItem(atPath: repo + "/lib/util.py")
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "lib/util.py") })
    #expect(try scratch.gitStatus(repo).hasUnstagedChanges)
    try FileManager.default.removeItem(atPath: repo + "/lib")
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "lib/util.py") })
  }

  @Test("untracked files only: clean, in-process")
  func untrackedOnly() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    try scratch.write("notes\n", to: repo + "/notes.txt")
    try scratch.write("x", to: repo + "/lib/new.py")
    try scratch.write("x", to: repo + "/mlflow.db")
    #expect(try scratch.expectAgreement(repo) == .inProcess)
  }

  @Test("empty files and paths with spaces and non-ASCII names are checked in-process")
  func unusualNames() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository(files: [
      "empty.txt": "", "with space/file name.txt": "a\n", "café/ü.py": "b\n", "a-b": "c\n", "a/b": "d\n", "a0": "e\n",
      "deep/er/and/deeper/still.txt": "f\n",
    ])
    try scratch.expectFastClean(repo)
    try scratch.write("changed\n", to: repo + "/café/ü.py")
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "café/ü.py") })
  }

  @Test("assume-unchanged: git ignores the edit, and so does the in-process check")
  func assumeUnchanged() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.git(["-C", repo, "update-index", "--assume-unchanged", "app.py"])
    try scratch.expectFastClean(repo)
    try scratch.write("edited but assumed unchanged\n", to: repo + "/app.py")
    #expect(try scratch.expectAgreement(repo) == .inProcess)
    #expect(try scratch.gitStatus(repo).isDirty == false)
  }

  @Test("skip-worktree: git ignores the missing file, and so does the in-process check")
  func skipWorktree() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.git(["-C", repo, "update-index", "--skip-worktree", "app.py"])
    try scratch.expectFastClean(repo)
    try FileManager.default.removeItem(atPath: repo + "/app.py")
    #expect(try scratch.expectAgreement(repo) == .inProcess)
    try scratch.write("different\n", to: repo + "/app.py")
    #expect(try scratch.expectAgreement(repo) == .inProcess)
    #expect(try scratch.gitStatus(repo).isDirty == false)
  }

  @Test("a submodule: its gitlink sends the question to git; inside it, its own index is checked")
  func submodule() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let library = try scratch.agedRepository("library", files: ["lib.py": "l1\n"])
    let repo = try scratch.agedRepository()
    try scratch.git(["-C", repo, "submodule", "add", "-q", library, "vendor/library"])
    try scratch.git(["-C", repo, "commit", "-q", "-m", "submodule"])
    try scratch.ageAndRefresh(repo)
    try scratch.ageAndRefresh(repo + "/vendor/library")
    try scratch.expectAgreement(repo)
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .gitlink(path: "vendor/library") })

    let inside = repo + "/vendor/library"
    try scratch.expectFastClean(inside)
    #expect(FileManager.default.fileExists(atPath: repo + "/.git/modules/vendor/library/mlflow-git/index-matches-head"))
    try scratch.write("l2\n", to: inside + "/lib.py")
    #expect(fellBack(try scratch.expectAgreement(inside)) { $0 == .changed(path: "lib.py") })
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .gitlink(path: "vendor/library") })
    #expect(try scratch.gitStatus(repo).hasUnstagedChanges)
  }

  @Test("index versions 2, 3 and 4 (prefix-compressed paths) are all read in-process")
  func indexVersions() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository(files: [
      "src/app/main.py": "m\n", "src/app/model.py": "o\n", "src/lib/a.py": "a\n", "src/z.py": "z\n", "top.txt": "t\n",
    ])
    try scratch.git(["-C", repo, "update-index", "--skip-worktree", "top.txt"])  // else git writes 3 as 2
    for version in ["4", "2", "3", "4"] {
      try scratch.git(["-C", repo, "update-index", "--index-version", version])
      let bytes = try #require(FileManager.default.contents(atPath: repo + "/.git/index"))
      #expect(bytes[7] == (version == "2" ? 3 : UInt8(version)!))  // extended flags need 3 or 4
      try scratch.expectFastClean(repo)
    }
    try scratch.write("changed\n", to: repo + "/src/app/model.py")
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "src/app/model.py") })
  }

  @Test("a large index is checked in parallel runs; a change in any run is found")
  func largeIndex() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    var files: [String: String] = [:]
    for number in 0..<3_000 { files["dir\(number % 30)/file\(number).txt"] = "content \(number)\n" }
    let repo = try scratch.agedRepository(files: files)
    try scratch.expectFastClean(repo)
    let last = try #require(files.keys.max())
    try scratch.write("changed\n", to: repo + "/" + last)
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: last) })
    let first = try #require(files.keys.min())
    try FileManager.default.removeItem(atPath: repo + "/" + first)
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: first) || $0 == .changed(path: last) })
    #expect(try scratch.gitStatus(repo).hasUnstagedChanges)
  }

  @Test("a linked worktree uses its own index and record")
  func linkedWorktree() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    let worktree = scratch.root + "/feature-wt"
    try scratch.git(["-C", repo, "worktree", "add", "-q", "-b", "feature", worktree])
    try scratch.ageAndRefresh(worktree)
    try scratch.expectFastClean(worktree)
    #expect(FileManager.default.fileExists(atPath: repo + "/.git/worktrees/feature-wt/mlflow-git/index-matches-head"))
    try scratch.expectFastClean(repo)
    try scratch.write("worktree edit\n", to: worktree + "/app.py")
    #expect(fellBack(try scratch.expectAgreement(worktree)) { $0 == .changed(path: "app.py") })
    #expect(try scratch.expectAgreement(repo) == .inProcess)
  }

  @Test("GIT_DIR and a stray GIT_INDEX_FILE: the worktree's own index is read, as by the git fallback")
  func gitDirEnvironment() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    let other = try scratch.agedRepository("other")
    try scratch.write("dirty in other\n", to: other + "/app.py")
    var environment = scratch.environment
    environment["GIT_DIR"] = repo + "/.git"
    environment["GIT_WORK_TREE"] = repo
    environment["GIT_INDEX_FILE"] = other + "/.git/index"
    let first = try scratch.ourStatus(scratch.root, environment: environment)
    let second = try scratch.ourStatus(scratch.root, environment: environment)
    #expect(first.source == .gitStatus(.noRecord))
    #expect(second.source == .inProcess)
    #expect(first.status == (try scratch.gitStatus(repo)) && second.status == first.status)
    try scratch.write("v2\n", to: repo + "/app.py")
    let dirty = try scratch.ourStatus(scratch.root, environment: environment)
    #expect(fellBack(dirty.source) { $0 == .changed(path: "app.py") })
    #expect(dirty.status == (try scratch.gitStatus(repo)))
  }

  @Test("a new commit after the record: HEAD changed, git answers and the record follows")
  func newCommit() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    try scratch.git(["-C", repo, "commit", "-q", "--allow-empty", "-m", "empty"])
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.headChanged))
    #expect(try scratch.expectAgreement(repo) == .inProcess)
    try scratch.write("v2\n", to: repo + "/app.py")
    try ageWorkTree(repo)
    try scratch.git(["-C", repo, "commit", "-q", "-am", "v2"])
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.headChanged))
    #expect(try scratch.expectAgreement(repo) == .inProcess)
  }

  @Test("HEAD moved without touching the index (reset --soft): staged changes, found by git")
  func softReset() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.write("v2\n", to: repo + "/app.py")
    try ageWorkTree(repo)
    try scratch.git(["-C", repo, "commit", "-q", "-am", "v2"])
    try scratch.expectFastClean(repo)
    try scratch.git(["-C", repo, "reset", "-q", "--soft", "HEAD~1"])
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.headChanged))
    #expect(try scratch.gitStatus(repo) == WorkingTreeStatus(hasStagedChanges: true, hasUnstagedChanges: false))
    // Back to the recorded commit, with the recorded index: the record holds again at once.
    try scratch.git(["-C", repo, "reset", "-q", "--soft", "HEAD@{1}"])
    #expect(try scratch.expectAgreement(repo) == .inProcess)
  }

  @Test("a corrupt index: git's error, as before; a body changed under a kept checksum: git's answer")
  func corruptIndex() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    let indexPath = repo + "/.git/index"
    let original = try #require(FileManager.default.contents(atPath: indexPath))

    // One byte of an object id changed in place: same size, same checksum, new change time.
    var edited = [UInt8](original)
    edited[12 + 40 + 3] ^= 0xFF
    let handle = try #require(FileHandle(forWritingAtPath: indexPath))
    try handle.write(contentsOf: Data(edited))
    try handle.close()
    let source = try scratch.expectAgreement(repo)
    #expect(source == .gitStatus(.indexChanged))
    #expect(try scratch.gitStatus(repo).hasStagedChanges)

    // Garbage: git fails, and so does the status, with git's message.
    try scratch.write("not an index at all, just text\n", to: indexPath)
    let repository = try GitRepository.discoverRecording(from: repo, environment: scratch.environment)
    let error = #expect(throws: GitStateError.self) { try repository.status() }
    #expect(error?.code == .gitFailed)
    #expect(error?.message.contains("index") == true)
  }

  @Test("intent-to-add, unmerged, split index, sparse index: always git's answer")
  func unsupportedIndexStates() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository(files: ["app.py": "v1\n", "lib/util.py": "u1\n", "docs/guide.md": "g\n"])
    try scratch.expectFastClean(repo)

    try scratch.write("new\n", to: repo + "/new.py")
    try ageWorkTree(repo)
    try scratch.git(["-C", repo, "add", "--intent-to-add", "new.py"])
    try scratch.expectAgreement(repo)
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .intentToAdd(path: "new.py") })
    try scratch.git(["-C", repo, "rm", "-q", "--cached", "new.py"])

    try scratch.git(["-C", repo, "update-index", "--split-index"])
    try scratch.expectAgreement(repo)
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.indexExtension("link (split index)")))
    try scratch.git(["-C", repo, "update-index", "--no-split-index"])
    try scratch.expectFastClean(repo)

    try scratch.git(["-C", repo, "sparse-checkout", "set", "--cone", "--sparse-index", "lib"])
    try scratch.ageAndRefresh(repo)
    try scratch.expectAgreement(repo)
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.indexExtension("sdir (sparse index)")))
    try scratch.git(["-C", repo, "sparse-checkout", "disable"])
  }

  @Test("an unresolved merge conflict: never answered in-process; the stat check names the unmerged path")
  func mergeConflict() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.git(["-C", repo, "checkout", "-q", "-b", "other"])
    try scratch.write("other\n", to: repo + "/app.py")
    try scratch.git(["-C", repo, "commit", "-q", "-am", "other"])
    try scratch.git(["-C", repo, "checkout", "-q", "main"])
    try scratch.write("main\n", to: repo + "/app.py")
    try scratch.git(["-C", repo, "commit", "-q", "-am", "main"])
    try scratch.ageAndRefresh(repo)
    try scratch.expectFastClean(repo)
    _ = try? scratch.git(["-C", repo, "merge", "-q", "other"])
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.indexChanged))
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.indexChanged))  // staged "UU": never recorded
    #expect(try scratch.gitStatus(repo).isDirty)
    // Past the record, the entries themselves would send it to git.
    let bytes = try #require(FileManager.default.contents(atPath: repo + "/.git/index"))
    let index = try GitIndexFile(bytes: [UInt8](bytes), hashSize: 20)
    let check = WorkTreeStatCheck(workTree: repo, trustsExecutableBit: true, indexModifiedSeconds: .max)
    #expect(check.firstUncertainty(in: index) == .unmerged(path: "app.py"))
  }

  @Test("core.fsmonitor, core.ignoreStat and core.checkStat=minimal send the question to git")
  func unsupportedConfig() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    for (key, value) in [("core.ignoreStat", "true"), ("core.checkStat", "minimal")] {
      try scratch.git(["-C", repo, "config", key, value])
      #expect(try scratch.expectAgreement(repo) == .gitStatus(.config(key)))
      try scratch.git(["-C", repo, "config", "--unset", key])
      #expect(try scratch.expectAgreement(repo) == .inProcess)
    }
    // In the user's global config, too.
    try scratch.git(["config", "--global", "core.checkStat", "minimal"])
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.config("core.checkStat")))
    try scratch.git(["config", "--global", "--unset", "core.checkStat"])
    try scratch.git(["-C", repo, "config", "core.fsmonitor", "false"])
    #expect(try scratch.expectAgreement(repo) == .inProcess)
    let hook = scratch.root + "/fsmonitor-hook"
    try scratch.writeExecutable("#!/bin/sh\nexit 1\n", to: hook)  // no answer: git checks every file
    try scratch.git(["-C", repo, "config", "core.fsmonitor", hook])
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.config("core.fsmonitor")))
  }

  @Test("a SHA-256 repository is read in-process too")
  func sha256() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = scratch.root + "/repo256"
    try scratch.git(["init", "-q", "--object-format=sha256", repo])
    try scratch.write("v1\n", to: repo + "/app.py")
    try scratch.write("", to: repo + "/empty")
    try ageWorkTree(repo)
    try scratch.git(["-C", repo, "add", "-A"])
    try scratch.git(["-C", repo, "commit", "-q", "-m", "first"])
    try scratch.expectFastClean(repo)
    try scratch.write("v2\n", to: repo + "/app.py")
    #expect(fellBack(try scratch.expectAgreement(repo)) { $0 == .changed(path: "app.py") })
  }

  @Test("the record is a 0600 file in a 0700 folder of the worktree's Git directory")
  func recordPermissions() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    let path = IndexHeadRecord.path(in: repo + "/.git/" + testRecordsFolder)
    let file = try FileManager.default.attributesOfItem(atPath: path)
    #expect((file[.posixPermissions] as? Int) == 0o600)
    let folder = try FileManager.default.attributesOfItem(atPath: repo + "/.git/mlflow-git")
    #expect((folder[.posixPermissions] as? Int) == 0o700)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: repo + "/.git/mlflow-git")
    #expect(leftovers == ["index-matches-head"])
    let record = try #require(IndexHeadRecord.read(in: repo + "/.git/" + testRecordsFolder))
    #expect(record.head == (try scratch.git(["-C", repo, "rev-parse", "HEAD"])))
  }

  @Test("a record that cannot be written never fails the status; a garbled one is ignored")
  func unwritableRecord() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.write("not a folder", to: repo + "/.git/mlflow-git")
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.noRecord))
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.noRecord))
    try FileManager.default.removeItem(atPath: repo + "/.git/mlflow-git")
    try scratch.write("mlflow-git index-matches-head 1\ngarbage\n", to: IndexHeadRecord.path(in: repo + "/.git/" + testRecordsFolder))
    #expect(try scratch.expectAgreement(repo) == .gitStatus(.noRecord))
    #expect(try scratch.expectAgreement(repo) == .inProcess)
  }
}
