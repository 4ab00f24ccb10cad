import Foundation
import GitState
import Testing
import TestSupport

@testable import GitHooks

/// The `///` examples of GitHooks, verbatim (between `doc example` and `end doc example` lines, at
/// the left margin as the comments show them), run on real repositories.
@Suite("The `///` examples of GitHooks run, and are their comments' text")
struct DocExampleTests {
  @Test("the examples this file holds are their comments' text, and every example of GitHooks is held by a test")
  func examplesAreTheComments() throws {
    let problems = try DocExamples.problems(testFiles: [#filePath], modules: ["GitHooks"], testFolders: ["GitHooksTests"])
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))")
  }

  @Test("the install example installs the hooks, the presence example notices when they are gone")
  func installExamples() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let appDirectory = try scratch.repository("app")
    var printed: [String] = []
    func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }
// doc example: Sources/GitHooks/HookInstallation.swift
let repository = try GitRepository.discover(from: appDirectory)
let report = try HookInstallation.install(in: repository, executablePath: "/usr/local/bin/mlflow-git")
report.notes.forEach { print($0) }
// end doc example
    #expect(printed == report.notes)
    let postCommit = repository.commonDirectory + "/hooks/post-commit"
    let installed = try String(contentsOfFile: postCommit, encoding: .utf8)
    #expect(installed.contains("/usr/local/bin/mlflow-git"))

    printed = []
// doc example: Sources/GitHooks/HookPresence.swift
if let notice = HookPresence.notice(commonDirectory: repository.commonDirectory) {
  print("mlflow-git: \(notice)")
}
// end doc example
    #expect(printed.isEmpty, "the hooks run")
    try FileManager.default.removeItem(atPath: postCommit)
    let gone = HookPresence.notice(commonDirectory: repository.commonDirectory)
    #expect(gone?.hasSuffix("run `mlflow-git install` to restore them") == true, "\(String(describing: gone))")
  }

  @Test("the program example writes a hook git runs; the setup example names core.hooksPath's folder")
  func programAndSetupExamples() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let appDirectory = try scratch.repository("app")
    try scratch.git(["-C", appDirectory, "config", "core.hooksPath", ".githooks"])
    let repository = try GitRepository.discover(from: appDirectory)
    var printed: [String] = []
    func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }
// doc example: Sources/GitHooks/HookSetup.swift
let setup = try HookSetup.detect(in: repository)
print(setup.manager, setup.teamHooksDirectory)   // husky 9, /src/app/.husky/_
// end doc example
    #expect(printed == ["core.hooksPath \(appDirectory)/.githooks"])

    let hooks = setup.teamHooksDirectory
    let log = scratch.root + "/invocations"
    let executable = scratch.root + "/fake-mlflow-git"
    try scratch.writeExecutable("#!/bin/sh\necho \"$@\" >> '\(log)'\n", to: executable)
    func writeExecutable(_ bytes: [UInt8], to path: String) throws {
      try scratch.writeExecutable(String(decoding: bytes, as: UTF8.self), to: path)
    }
// doc example: Sources/GitHooks/HookProgram.swift
let text = HookProgram.versioning(executablePath: "/usr/local/bin/mlflow-git")
try writeExecutable(Array(text.utf8), to: hooks + "/post-commit")
// end doc example
    #expect(text.contains("/usr/local/bin/mlflow-git"))
    // The hook journals only where mlflow-git is installed: its install manifest says so.
    try scratch.write("", to: repository.commonDirectory + "/mlflow-git/install")
    let mine = HookProgram.versioning(executablePath: executable)
    try writeExecutable(Array(mine.utf8), to: hooks + "/post-commit")
    try scratch.git(["-C", appDirectory, "commit", "-q", "--allow-empty", "-m", "second"])
    var invoked = ""
    for _ in 0..<100 where invoked.isEmpty {
      invoked = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
      if invoked.isEmpty { usleep(50_000) }
    }
    #expect(invoked == "sync --background\n", "git ran the written post-commit hook, which started the worker")
    let journal = try String(contentsOfFile: repository.commonDirectory + "/mlflow-git/journal", encoding: .utf8)
    let commit = try scratch.git(["-C", appDirectory, "rev-parse", "HEAD"])
    #expect(journal.contains(commit), "the hook journaled the new commit: \(journal)")
  }
}
