import Foundation
import Testing
import TestSupport

@testable import GitState

@Suite("Dirty state and diff")
struct StatusAndDiffTests {
  @Test("a clean tree: not dirty, no diff")
  func clean() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    #expect(!snapshot.isDirty)
    #expect(snapshot.diff == nil)
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: repo, scratch: scratch))
  }

  @Test("staged and unstaged edits: unstaged diff, a newline, staged diff — byte for byte MLflow's")
  func stagedAndUnstaged() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository(files: ["app.py": "v1\n", "README": "readme\n"])
    try scratch.write("v2\n", to: repo + "/app.py")
    try scratch.git(["-C", repo, "add", "app.py"])
    try scratch.write("readme 2\n", to: repo + "/README")
    try scratch.write("v3\n", to: repo + "/app.py")  // staged and then edited again
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    #expect(snapshot.status == WorkingTreeStatus(hasStagedChanges: true, hasUnstagedChanges: true))
    let text = try #require(snapshot.diff?.text)
    let unstaged = try scratch.git(["-C", repo, "diff"])
    let staged = try scratch.git(["-C", repo, "diff", "--cached"])
    #expect(text == unstaged + "\n" + staged)
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: repo, scratch: scratch))
  }

  @Test("a staged new file makes the tree dirty")
  func stagedNewFile() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try scratch.write("new\n", to: repo + "/new.py")
    try scratch.git(["-C", repo, "add", "new.py"])
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    #expect(snapshot.status == WorkingTreeStatus(hasStagedChanges: true, hasUnstagedChanges: false))
    #expect(snapshot.diff?.text?.contains("new file mode 100644") == true)
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: repo, scratch: scratch))
  }

  @Test("untracked files only: not dirty, as in MLflow")
  func untrackedOnly() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try scratch.write("untracked\n", to: repo + "/notes.txt")
    try scratch.write("x", to: repo + "/mlflow.db")
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    #expect(!snapshot.isDirty)
    #expect(snapshot.diff == nil)
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: repo, scratch: scratch))
  }

  @Test("a touched but unchanged file is clean; a mode change is dirty")
  func touchAndMode() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: repo + "/app.py")
    #expect(try GitSnapshot.read(from: repo, environment: scratch.environment).isDirty == false)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: repo + "/app.py")
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    #expect(snapshot.diff?.text == "diff --git a/app.py b/app.py\nold mode 100644\nnew mode 100755")
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: repo, scratch: scratch))
  }

  @Test("a binary change is git's 'Binary files differ' line, as MLflow records it")
  func binaryChange() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try scratch.write([0, 1, 2, 255, 254, 0, 7], to: repo + "/blob.bin")
    try scratch.git(["-C", repo, "add", "blob.bin"])
    try scratch.git(["-C", repo, "commit", "-q", "-m", "blob"])
    try scratch.write([0, 9, 9, 255, 0, 1], to: repo + "/blob.bin")
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    #expect(snapshot.diff?.text?.hasSuffix("Binary files a/blob.bin and b/blob.bin differ") == true)
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: repo, scratch: scratch))
  }

  @Test("non-UTF-8 text keeps its exact bytes")
  func nonUTF8Content() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository(files: ["latin1.txt": "caf\n"])
    try scratch.write(Array("caf".utf8) + [0xE9, 0x0A], to: repo + "/latin1.txt")  // "café" in Latin-1
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    let diff = try #require(snapshot.diff)
    #expect(diff.text == nil, "Latin-1 bytes are not valid UTF-8")
    #expect(diff.bytes.contains(0xE9))
    #expect(diff.lossyText.contains("\u{FFFD}"))
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: repo, scratch: scratch))
  }

  @Test("a 5 MB diff is captured whole")
  func hugeDiff() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    let line = String(repeating: "0123456789abcdef", count: 4) + "\n"
    try scratch.write(String(repeating: line, count: 80_000), to: repo + "/big.txt")
    try scratch.git(["-C", repo, "add", "big.txt"])
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    let diff = try #require(snapshot.diff)
    #expect(diff.bytes.count > 5_000_000)
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: repo, scratch: scratch))
  }

  @Test("excluded paths stay out of the diff; the tree is still dirty")
  func exclusions() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository(files: ["app.py": "v1\n", ".env": "TOKEN=old\n", "secrets/key.pem": "k1\n"])
    try scratch.write("v2\n", to: repo + "/app.py")
    try scratch.write("TOKEN=s3cret\n", to: repo + "/.env")
    try scratch.write("k2\n", to: repo + "/secrets/key.pem")
    try scratch.git(["-C", repo, "add", "secrets/key.pem"])
    let options = GitSnapshot.Options(diffExclusions: [".env", "secrets/**"])
    let snapshot = try GitSnapshot.read(from: repo + "/secrets", options: options, environment: scratch.environment)
    let text = try #require(snapshot.diff?.text)
    #expect(text.contains("app.py"))
    #expect(!text.contains("s3cret"))
    #expect(!text.contains("key.pem"))

    // Only secrets changed: dirty, but the diff is empty.
    try scratch.git(["-C", repo, "checkout", "-q", "--", "app.py"])
    let onlySecrets = try GitSnapshot.read(from: repo, options: options, environment: scratch.environment)
    #expect(onlySecrets.isDirty)
    #expect(onlySecrets.diff?.isEmpty == true)
  }

  @Test("a user's external diff tool and forced colour do not corrupt the patch")
  func externalDiffAndColour() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try scratch.writeExecutable("#!/bin/sh\necho EXTERNAL TOOL OUTPUT\n", to: scratch.root + "/extdiff.sh")
    try scratch.git(["-C", repo, "config", "diff.external", scratch.root + "/extdiff.sh"])
    try scratch.git(["-C", repo, "config", "color.ui", "always"])
    try scratch.write("v2\n", to: repo + "/app.py")
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    let text = try #require(snapshot.diff?.text)
    #expect(!text.contains("EXTERNAL TOOL OUTPUT"))
    #expect(!text.contains("\u{1B}["))
    #expect(text == (try scratch.git(["-C", repo, "diff", "--no-ext-diff", "--no-color"])))
  }

  @Test("the diff is computed only when the tree is dirty, and can be skipped")
  func diffOnlyWhenAsked() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try scratch.write("v2\n", to: repo + "/app.py")
    let snapshot = try GitSnapshot.read(from: repo, options: .init(includesDiff: false), environment: scratch.environment)
    #expect(snapshot.isDirty)
    #expect(snapshot.diff == nil)
  }

  @Test("porcelain status lines are classified by their two columns")
  func porcelainParsing() {
    let output = Array(" M a\nA  b\n?? c\nR  old -> new\n".utf8)
    #expect(WorkingTreeStatus(porcelain: output) == WorkingTreeStatus(hasStagedChanges: true, hasUnstagedChanges: true))
    #expect(WorkingTreeStatus(porcelain: Array("?? x\n!! y\n".utf8)).isDirty == false)
    #expect(WorkingTreeStatus(porcelain: Array(" D gone\n".utf8)) == WorkingTreeStatus(hasStagedChanges: false, hasUnstagedChanges: true))
    #expect(WorkingTreeStatus(porcelain: []).isDirty == false)
  }
}
