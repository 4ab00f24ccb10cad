import Foundation
import Testing
import TestSupport

@testable import LocalFiles

/// The `///` examples of LocalFiles, verbatim (between `doc example` and `end doc example` lines,
/// at the left margin as the comments show them), run on private files in a temporary folder.
@Suite("The `///` examples of LocalFiles run, and are their comments' text")
struct DocExampleTests {
  @Test("the examples this file holds are their comments' text, and every example of LocalFiles is held by a test")
  func examplesAreTheComments() throws {
    let problems = try DocExamples.problems(testFiles: [#filePath], modules: ["LocalFiles"], testFolders: ["LocalFilesTests"])
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))")
  }

  @Test("the private-file and append-only examples append an entry, and deliver the journal's tail once")
  func journalExamples() throws {
    let directory = try TemporaryDirectory("doc-examples")
    defer { withExtendedLifetime(directory) {} }
    let gitCommonDir = directory.path
// doc example: Sources/LocalFiles/PrivateFiles.swift
try PrivateFiles.createDirectory(gitCommonDir + "/mlflow-git")
try PrivateFiles.append(Array("entry\n".utf8), to: gitCommonDir + "/mlflow-git/journal")
// end doc example
    var status = stat()
    #expect(stat(gitCommonDir + "/mlflow-git", &status) == 0 && status.st_mode & 0o777 == 0o700)
    #expect(stat(gitCommonDir + "/mlflow-git/journal", &status) == 0 && status.st_mode & 0o777 == 0o600)

    let stateDirectory = gitCommonDir + "/mlflow-git"
    var delivered: [UInt8] = []
    func deliver(_ bytes: [UInt8]) { delivered += bytes }
    var deliveredOffset = 0
    for _ in 0..<2 {
// doc example: Sources/LocalFiles/AppendOnlyFile.swift
let file = AppendOnlyFile(path: stateDirectory + "/journal")
if let tail = try file.read(from: deliveredOffset) {
  deliver(tail.bytes)
  try file.discard(before: deliveredOffset + tail.bytes.count)
}
// end doc example
      deliveredOffset += delivered.count - deliveredOffset
    }
    #expect(delivered == Array("entry\n".utf8), "the tail once, nothing the second time")
  }

  @Test("the record example saves the record in a private folder, as a private file")
  func recordExample() throws {
    let directory = try TemporaryDirectory("doc-examples")
    defer { withExtendedLifetime(directory) {} }
    let gitDirectory = directory.path
// doc example: Sources/LocalFiles/PrivateFiles.swift
PrivateFiles.saveRecord(Array("abc123\n".utf8), named: "checked", in: gitDirectory + "/records")
// end doc example
    #expect(FileManager.default.contents(atPath: gitDirectory + "/records/checked") == Data("abc123\n".utf8))
    var status = stat()
    #expect(stat(gitDirectory + "/records", &status) == 0 && status.st_mode & 0o777 == 0o700)
    #expect(stat(gitDirectory + "/records/checked", &status) == 0 && status.st_mode & 0o777 == 0o600)
    #expect(try FileManager.default.contentsOfDirectory(atPath: gitDirectory + "/records") == ["checked"], "no temporary file left")
  }

  @Test("the lock examples take the registration lock, and drain only while no other worker holds its lock")
  func lockExamples() async throws {
    let directory = try TemporaryDirectory("doc-examples")
    defer { withExtendedLifetime(directory) {} }
    let commonDirectory = directory.path
    let stateDirectory = commonDirectory + "/" + StateFolder.name
    try PrivateFiles.createDirectory(stateDirectory)
    let workerLockPath = stateDirectory + "/worker.lock"
    #expect(try await lockExample(stateDirectory: stateDirectory, workerLockPath: workerLockPath) == "drained")

    let worker = try FileLock.acquire(at: workerLockPath)
    #expect(try await lockExample(stateDirectory: stateDirectory, workerLockPath: workerLockPath) == "locked")
    let registration = try FileLock.acquire(at: stateDirectory + "/register.lock")
    #expect(try await lockExample(stateDirectory: stateDirectory, workerLockPath: workerLockPath) == "kept for later")
    registration.release()
    worker.release()

    struct Repository { var commonDirectory: String }
    let repository = Repository(commonDirectory: commonDirectory)
// doc example: Sources/LocalFiles/StateFolder.swift
let folder = StateFolder(commonDirectory: repository.commonDirectory)
let lock = try await FileLock.acquire(at: folder.registerLock, waitingAtMost: .milliseconds(50))
// end doc example
    #expect(lock != nil && folder.registerLock == stateDirectory + "/register.lock")
    #expect(try FileLock.tryAcquire(at: stateDirectory + "/register.lock") == nil, "the example holds it")
    lock?.release()
  }

  /// FileLock's example: what it did.
  func lockExample(stateDirectory: String, workerLockPath: String) async throws -> String {
    var outcome = "locked"
    func keepForLater() -> String { "kept for later" }
    func drainJournal() { outcome = "drained" }
// doc example: Sources/LocalFiles/FileLock.swift
guard let lock = try await FileLock.acquire(at: stateDirectory + "/register.lock", waitingAtMost: .milliseconds(50))
else { return keepForLater() }
defer { lock.release() }
if let worker = try FileLock.tryAcquire(at: workerLockPath) {
  defer { worker.release() }
  drainJournal()
}
// end doc example
    return outcome
  }

  @Test("StaticExecutable's example says nothing in this dynamically linked test process")
  func staticExecutableExample() {
    var printed: [String] = []
    func print(_ text: String) { printed.append(text) }
// doc example: Sources/LocalFiles/StaticExecutable.swift
if StaticExecutable.isCurrentProcess { print("HTTP needs a dynamically linked program") }
// end doc example
    #expect(printed.isEmpty)
    #expect(!StaticExecutable.isCurrentProcess)
  }
}
