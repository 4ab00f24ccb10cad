import ChildProcess
import Foundation
import Testing
import TestSupport

@testable import GitState

/// The `///` examples of GitState, verbatim (between `doc example` and `end doc example` lines, at
/// the left margin as the comments show them), run against real repositories made with `git`.
@Suite("The `///` examples of GitState run, and are their comments' text")
struct DocExampleTests {
  @Test("the examples this file holds are their comments' text, and every example of GitState is held by a test (RecordedDiff's block is its file format)")
  func examplesAreTheComments() throws {
    let problems = try DocExamples.problems(testFiles: [#filePath], modules: ["GitState"], testFolders: ["GitStateTests"], exempt: ["Sources/GitState/RecordedDiff.swift"])
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))")
  }

  @Test("the repository, head, snapshot, diff and remote examples read the state git reports")
  func stateExamples() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let appDirectory = try scratch.repository("app", files: ["Sources/main.swift": "print(1)\n", ".env": "KEY=1\n"])
    try scratch.git(["-C", appDirectory, "remote", "add", "origin", "https://ci:ghp_secret@github.com/acme/app.git"])
    try scratch.write("print(2)\n", to: appDirectory + "/Sources/main.swift")
    try scratch.write("KEY=2\n", to: appDirectory + "/.env")
    let commit = try scratch.git(["-C", appDirectory, "rev-parse", "HEAD"])
    var printed: [String] = []
    func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }

// doc example: Sources/GitState/GitRepository.swift
let repository = try GitRepository.discover(from: appDirectory + "/Sources")
print(repository.workTree)          // "/src/app"
print(try repository.head())        // branch "main" at 93be08f5…
// end doc example
    #expect(repository.workTree == appDirectory)
    #expect(printed == [appDirectory, "\(try repository.head())"])
    printed = []
// doc example: Sources/GitState/GitHead.swift
switch try repository.head() {
case .branch(let name, let commit): print("\(name) at \(commit)")
case .unborn(let name): print("\(name) has no commits yet")
case .detached(let commit): print("detached at \(commit)")
}
// end doc example
    #expect(printed == ["main at \(commit)"])

// doc example: Sources/GitState/GitSnapshot.swift
let snapshot = try GitSnapshot.read(from: appDirectory, options: .init(remoteName: "origin", diffExclusions: [".env"]))
print(snapshot.branch, snapshot.commit, snapshot.isDirty)
print(snapshot.remoteURL?.withoutCredentials ?? "no remote")
// end doc example
    #expect(printed.suffix(2) == ["main \(commit) true", "https://github.com/acme/app.git"])

// doc example: Sources/GitState/GitDiff.swift
let diff = try repository.diff(for: try repository.status(), excluding: [".env", "secrets/**"])
print(diff.text ?? "<\(diff.bytes.count) bytes, not UTF-8>")
// end doc example
    #expect(diff.text?.contains("+print(2)") == true && diff.text?.contains("KEY=2") == false)

    let storedDiff = diff.bytes
    printed = []
// doc example: Sources/GitState/GitDiff+FileChanges.swift
for file in GitDiff(bytes: storedDiff).fileChanges { print(file.path, file.added.map(String.init) ?? "binary") }
// end doc example
    #expect(printed == ["Sources/main.swift 1"])

    printed = []
// doc example: Sources/GitState/RemoteURL.swift
let url = RemoteURL("https://ci:ghp_secret@github.com/acme/app.git")
print(url.withoutCredentials) // https://github.com/acme/app.git
// end doc example
    #expect(printed == ["https://github.com/acme/app.git"])
  }

  @Test("the settings, comparison and records examples read what git config and git log say")
  func repositoryExamples() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let appDirectory = try scratch.repository("app")
    try scratch.git(["-C", appDirectory, "config", "core.hooksPath", ".husky/_"])
    let repository = try GitRepository.discover(from: appDirectory)
    var printed: [String] = []
    func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }
// doc example: Sources/GitState/GitRepository+Settings.swift
for setting in try repository.configSettings("core.hooksPath") {
  print(setting.scope, setting.origin, setting.value)   // local file:/src/app/.git/config .husky/_
}
// end doc example
    #expect(printed == ["local file:\(appDirectory)/.git/config .husky/_"])

    try scratch.git(["-C", appDirectory, "checkout", "-q", "-b", "feature"])
    try scratch.write("def app():\n    return \"v2\"\n", to: appDirectory + "/app.py")
    try scratch.git(["-C", appDirectory, "commit", "-q", "-am", "v2"])
    printed = []
// doc example: Sources/GitState/RevisionComparison.swift
let changes = try repository.comparison(from: "main", to: "HEAD", commitLimit: 10)
print("\(changes.commitsAhead) commits, \(changes.files.count) files, +\(changes.linesAdded) −\(changes.linesDeleted)")
// end doc example
    #expect(printed == ["1 commits, 1 files, +1 −1"])

    let records = repository.commonDirectory + "/records"
    try scratch.write("a record\n", to: records + "/recorded-diff")
    try scratch.write("a record\n", to: records + "/index-matches-head")
    do {
// doc example: Sources/GitState/GitRepository+StatusRecords.swift
var repository = try GitRepository.discover(from: appDirectory)
repository.recordsFolder = "records"
repository.removeStatusRecords()
// end doc example
    }
    #expect(!FileManager.default.fileExists(atPath: records + "/recorded-diff"))
    #expect(!FileManager.default.fileExists(atPath: records + "/index-matches-head"))
  }

  @Test("GitStateError's example catches the detached HEAD with no CI branch variable")
  func errorExample() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let appDirectory = try scratch.repository("app")
    try scratch.git(["-C", appDirectory, "checkout", "-q", "--detach"])
    let ciBranch = CIBranch.find(in: ProcessInfo.processInfo.environment)
    let caught = Printed()
    try detachedHeadExample(appDirectory: appDirectory) { items in
      caught.lines.append(items.map { "\($0)" }.joined(separator: " "))
    }
    if let ciBranch {
      let commit = try scratch.git(["-C", appDirectory, "rev-parse", "HEAD"])
      #expect(caught.lines == ["\(ciBranch.branch) \(commit)"], "this process's \(ciBranch.variable) names the branch")
    } else {
      #expect(caught.lines.count == 1, "\(caught.lines)")
      #expect(caught.lines.first?.hasPrefix("check out a branch, or set a CI branch variable: ") == true)
    }
  }
}

/// GitStateError's example, printing through `record` (a local function that captures state
/// around a typed `do`/`catch` crashes the Swift 6.3 compiler).
func detachedHeadExample(appDirectory: String, record: ([Any]) -> Void) throws(GitStateError) {
  func print(_ items: Any...) { record(items) }
// doc example: Sources/GitState/GitStateError.swift
do {
  let snapshot = try GitSnapshot.read(from: appDirectory)
  print(snapshot.branch, snapshot.commit)
} catch let error where error.code == .detachedHead {
  print("check out a branch, or set a CI branch variable:", error)
}
// end doc example
}

/// What an example printed.
final class Printed {
  var lines: [String] = []
}
