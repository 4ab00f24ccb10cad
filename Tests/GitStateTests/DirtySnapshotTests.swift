import Foundation
import Testing
import TestSupport

@testable import GitState

@Suite("A dirty snapshot costs one git diff when nothing can be staged")
struct DirtySnapshotTests {
  @Test("an edited file while the index matches HEAD: one git diff answers dirty, with git's diff")
  func editedFile() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    try scratch.write("v2 longer\n", to: repo + "/app.py")
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff)
    try FileManager.default.removeItem(atPath: repo + "/lib/util.py")
    #expect(try scratch.expectSnapshotAgreement(repo) == .unstagedDiff, "a deletion too")
    // The snapshot the runtime reads takes the same path and keeps the exact diff.
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    #expect(snapshot.isDirty && snapshot.diff?.text?.contains("+v2 longer") == true)
  }

  @Test("a touched file (same content) or a change only in excluded paths: git status answers")
  func emptyDiffFallsBack() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository(files: ["app.py": "v1\n", ".env": "KEY=1\n"])
    try scratch.expectFastClean(repo)
    try setModificationTime(of: repo + "/app.py", to: Int(Date().timeIntervalSince1970) - 10)
    #expect(fellBack(try scratch.expectSnapshotAgreement(repo)) { $0 == .changed(path: "app.py") })
    try scratch.git(["-C", repo, "update-index", "-q", "--refresh"])
    try scratch.ageAndRefresh(repo)
    try scratch.expectFastClean(repo)
    try scratch.write("KEY=2\n", to: repo + "/.env")
    #expect(fellBack(try scratch.expectSnapshotAgreement(repo, excluding: [".env"])) { _ in true }, "dirty, with an empty diff")
  }

  @Test("a staged change: the record no longer matches, so git status answers and both diffs are kept")
  func stagedChange() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    try scratch.expectFastClean(repo)
    try scratch.write("staged\n", to: repo + "/app.py")
    try scratch.git(["-C", repo, "add", "app.py"])
    try scratch.write("staged, then edited\n", to: repo + "/app.py")
    #expect(fellBack(try scratch.expectSnapshotAgreement(repo)) { $0 == .indexChanged })
  }
}
