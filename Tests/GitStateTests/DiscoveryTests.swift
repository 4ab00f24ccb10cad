import Foundation
import Testing
import TestSupport

@testable import GitState

@Suite("Finding the repository")
struct DiscoveryTests {
  @Test("found from a subdirectory, with the same answer as MLflow")
  func fromSubdirectory() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository(files: ["src/deep/file.txt": "x\n", "README": "r\n"])
    let repository = try GitRepository.discover(from: repo + "/src/deep", environment: scratch.environment)
    #expect(repository.workTree == repo)
    #expect(repository.gitDirectory == repo + "/.git")
    #expect(repository.commonDirectory == repo + "/.git")
    try expectHeadAgreesWithGit(repository, at: repo + "/src/deep", scratch: scratch)
    let snapshot = try GitSnapshot.read(from: repo + "/src/deep", environment: scratch.environment)
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: repo + "/src/deep", scratch: scratch))
  }

  @Test("a linked worktree keeps HEAD in its own git dir and refs in the common dir")
  func linkedWorktree() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    let worktree = scratch.root + "/wt"
    try scratch.git(["-C", repo, "worktree", "add", "-q", "-b", "feature/wt", worktree])
    try scratch.write("changed\n", to: worktree + "/app.py")

    let repository = try GitRepository.discover(from: worktree, environment: scratch.environment)
    #expect(repository.workTree == worktree)
    #expect(repository.gitDirectory == repo + "/.git/worktrees/wt")
    #expect(repository.commonDirectory == repo + "/.git")
    #expect(try repository.head().branch == "feature/wt")
    try expectHeadAgreesWithGit(repository, at: worktree, scratch: scratch)

    let snapshot = try repository.snapshot()
    #expect(snapshot.isDirty)
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: worktree, scratch: scratch))
    // The main worktree is untouched by the linked one's edit.
    #expect(try GitSnapshot.read(from: repo, environment: scratch.environment).isDirty == false)
  }

  @Test("inside a submodule, the submodule is the repository; its moved pointer dirties the superproject")
  func submodule() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let library = try scratch.repository("library", files: ["lib.txt": "v1\n"])
    let app = try scratch.repository("app", files: ["app.txt": "a\n"])
    try scratch.git(["-C", app, "submodule", "add", "-q", library, "vendor/library"])
    try scratch.git(["-C", app, "commit", "-q", "-m", "add submodule"])

    let inside = app + "/vendor/library"
    let repository = try GitRepository.discover(from: inside, environment: scratch.environment)
    #expect(repository.workTree == inside)
    #expect(repository.gitDirectory == app + "/.git/modules/vendor/library")
    try expectHeadAgreesWithGit(repository, at: inside, scratch: scratch)

    #expect(try GitSnapshot.read(from: app, environment: scratch.environment).isDirty == false)
    // Untracked content inside the submodule does not count, as in MLflow.
    try scratch.write("scratch\n", to: inside + "/untracked.txt")
    let untracked = try GitSnapshot.read(from: app, environment: scratch.environment)
    MLflowGitInfo.expectSame(untracked, as: try await .read(in: app, scratch: scratch))
    #expect(untracked.isDirty == false)

    try scratch.git(["-C", inside, "commit", "-q", "--allow-empty", "-m", "move"])
    let moved = try GitSnapshot.read(from: app, environment: scratch.environment)
    #expect(moved.isDirty)
    #expect(moved.diff?.text?.contains("Subproject commit") == true)
    MLflowGitInfo.expectSame(moved, as: try await .read(in: app, scratch: scratch))
  }

  @Test("a bare repository is a clear error")
  func bareRepository() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let bare = scratch.root + "/bare.git"
    try scratch.git(["init", "-q", "--bare", bare])
    let error = #expect(throws: GitStateError.self) {
      try GitRepository.discover(from: bare, environment: scratch.environment)
    }
    #expect(error?.code == .bareRepository)
    #expect(error?.message.contains("bare") == true)
  }

  @Test("a directory outside any repository is a clear error, as MLflow reports")
  func notARepository() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let plain = scratch.root + "/plain"
    try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)
    let error = #expect(throws: GitStateError.self) {
      try GitSnapshot.read(from: plain, environment: scratch.environment)
    }
    #expect(error?.code == .notARepository)
    #expect(error?.message.contains(plain) == true)
    let reference = try await MLflowGitInfo.read(in: plain, scratch: scratch)
    #expect(reference.error?.contains("Not in a git repository") == true)
  }

  @Test("a missing directory is a clear error, not a crash")
  func missingDirectory() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let error = #expect(throws: GitStateError.self) {
      try GitRepository.discover(from: scratch.root + "/does/not/exist", environment: scratch.environment)
    }
    #expect(error?.code == .notARepository)
  }

  @Test("the inside of .git has no work tree")
  func insideGitDirectory() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    let error = #expect(throws: GitStateError.self) {
      try GitRepository.discover(from: repo + "/.git/refs", environment: scratch.environment)
    }
    #expect(error?.code == .bareRepository)
  }

  @Test("GIT_DIR and GIT_WORK_TREE set by the caller are honoured")
  func gitDirFromEnvironment() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    let elsewhere = scratch.root + "/elsewhere"
    try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
    var environment = scratch.environment
    environment["GIT_DIR"] = repo + "/.git"
    environment["GIT_WORK_TREE"] = repo
    let repository = try GitRepository.discover(from: elsewhere, environment: environment)
    #expect(repository.workTree == repo)
    #expect(repository.gitDirectory == repo + "/.git")
    #expect(repository.commonDirectory == repo + "/.git")
    let snapshot = try repository.snapshot()
    #expect(snapshot.branch == "main")
    #expect(snapshot.isDirty == false)

    environment["GIT_DIR"] = scratch.root + "/nothing-here"
    let error = #expect(throws: GitStateError.self) {
      try GitRepository.discover(from: elsewhere, environment: environment)
    }
    #expect(error?.code == .notARepository)
    #expect(error?.message.contains("GIT_DIR") == true)
  }

  @Test("a merge in progress is reported")
  func operationInProgress() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    let repository = try GitRepository.discover(from: repo, environment: scratch.environment)
    #expect(repository.operationInProgress == nil)
    try scratch.git(["-C", repo, "switch", "-q", "-c", "other"])
    try scratch.write("other\n", to: repo + "/app.py")
    try scratch.git(["-C", repo, "commit", "-q", "-am", "other"])
    try scratch.git(["-C", repo, "switch", "-q", "main"])
    try scratch.write("main\n", to: repo + "/app.py")
    try scratch.git(["-C", repo, "commit", "-q", "-am", "main"])
    _ = try? scratch.git(["-C", repo, "merge", "-q", "other"])
    #expect(repository.operationInProgress == "merge")
  }
}

@Suite("Paths")
struct PathTests {
  @Test("a symlink into a repository's subdirectory walks up the physical parents, as git does")
  func symlinkedSubdirectory() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository(files: ["src/app.py": "x\n"])
    try FileManager.default.createSymbolicLink(atPath: scratch.root + "/link", withDestinationPath: repo + "/src")
    let repository = try GitRepository.discover(from: scratch.root + "/link", environment: scratch.environment)
    let physicalRepo = try #require(FileSystem.realPath(repo))
    #expect(repository.workTree == physicalRepo)
    #expect(try repository.head().branch == "main")
  }

  @Test("paths are normalised only when they need it")
  func normalisation() {
    #expect(FileSystem.isNormalized("/a/b"))
    #expect(FileSystem.isNormalized("/"))
    #expect(FileSystem.isNormalized("/a/.hidden/b..c"))
    for path in ["a/b", "/a/../b", "/a/./b", "/a//b", "/a/b/", "/..", "/a/."] {
      #expect(!FileSystem.isNormalized(path), "\(path)")
    }
    #expect(FileSystem.absolute("../x/./y", relativeTo: "/r/s") == "/r/x/y")
    #expect(FileSystem.absolute("/already/clean", relativeTo: "/ignored") == "/already/clean")
  }
}
