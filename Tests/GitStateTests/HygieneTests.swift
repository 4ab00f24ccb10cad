import ChildProcess
import Foundation
import Synchronization
import Testing
import TestSupport

@testable import GitState

@Suite("Child git process hygiene")
struct HygieneTests {
  @Test("variables a hook exports about another repository do not leak into our git calls")
  func hookVariablesDoNotLeak() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    let other = try scratch.repository("other")
    try scratch.write("dirty\n", to: other + "/app.py")
    var environment = scratch.environment
    environment["GIT_INDEX_FILE"] = other + "/.git/index"
    environment["GIT_OBJECT_DIRECTORY"] = other + "/.git/objects"
    environment["GIT_PREFIX"] = "sub/"
    environment["GIT_CONFIG_PARAMETERS"] = "'color.ui'='always'"
    let repository = GitRepository(
      workTree: repo, gitDirectory: repo + "/.git", commonDirectory: repo + "/.git", environment: environment)
    let snapshot = try repository.snapshot()
    #expect(!snapshot.isDirty)
    #expect(repository.git.environment["GIT_INDEX_FILE"] == nil)
    #expect(repository.git.environment["GIT_TERMINAL_PROMPT"] == "0")
    #expect(repository.git.globalArguments.contains("--no-optional-locks"))
  }

  @Test("reading state never takes the index lock, even while another process holds it")
  func noOptionalLocks() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try scratch.write("v2\n", to: repo + "/app.py")
    // A concurrent `git commit` holds index.lock; a status that wanted to refresh the index would
    // fail or wait. Ours must answer and leave the lock alone.
    try scratch.write("", to: repo + "/.git/index.lock")
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    #expect(snapshot.isDirty)
    #expect(FileManager.default.fileExists(atPath: repo + "/.git/index.lock"))
  }

  @Test("a missing git executable is a clear error")
  func missingGit() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    var environment = scratch.environment
    environment["PATH"] = scratch.root + "/empty-bin"
    // Finding the repository and HEAD needs no git; the dirty check does.
    let repository = try GitRepository.discover(from: repo, environment: environment)
    #expect(try repository.head().branch == "main")
    let error = #expect(throws: GitStateError.self) { try repository.snapshot() }
    #expect(error?.code == .gitNotFound)
    #expect(error?.message.contains("install git") == true)
  }

  @Test("ChildProcess returns exit status and both streams without deadlock on large output")
  func childProcessStreams() throws {
    let output = try ChildProcess.run(
      "sh", arguments: ["-c", "head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2; exit 3"])
    #expect(output.exitStatus == 3)
    #expect(output.standardOutput.count == 300_000)
    #expect(output.standardError.count == 200_000)
    let echoed = try ChildProcess.run("cat", arguments: [], standardInput: Array(repeating: 65, count: 1_000_000))
    #expect(echoed.standardOutput.count == 1_000_000)
    let limited = #expect(throws: ChildProcessError.self) {
      try ChildProcess.run("sh", arguments: ["-c", "head -c 1000000 /dev/zero"], outputLimit: 1000)
    }
    #expect(limited?.code == .outputLimitExceeded)
  }

  @Test("no spawn runs between another's pipe and its close-on-exec marking: run waits for the spawn lock")
  func spawnLock() async throws {
    final class Flag: Sendable { let isSet = Atomic<Bool>(false) }
    let finished = Flag()
    let child = ChildProcess.withSpawnLock {
      let child = Task.detached {
        let output = try await ChildProcess.runAsync("true", arguments: [])
        finished.isSet.store(true, ordering: .sequentiallyConsistent)
        return output
      }
      usleep(300_000)  // `true` takes ~1 ms once it may spawn
      let finishedUnderLock = finished.isSet.load(ordering: .sequentiallyConsistent)
      #expect(!finishedUnderLock, "run spawned while another held the lock")
      return child
    }
    #expect(try await child.value.exitStatus == 0)
  }

  @Test("ChildProcess.runAsync returns what run returns, and waits off the cooperative threads")
  func childProcessRunAsync() async throws {
    let output = try await ChildProcess.runAsync(
      "sh", arguments: ["-c", "head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2; exit 3"])
    #expect(output.exitStatus == 3)
    #expect(output.standardOutput.count == 300_000)
    #expect(output.standardError.count == 200_000)
    let echoed = try await ChildProcess.runAsync(
      "cat", arguments: [], standardInput: Array(repeating: 65, count: 1_000_000))
    #expect(echoed.standardOutput == Array(repeating: 65, count: 1_000_000))
    let limited = await #expect(throws: ChildProcessError.self) {
      try await ChildProcess.runAsync("sh", arguments: ["-c", "head -c 1000000 /dev/zero"], outputLimit: 1000)
    }
    #expect(limited?.code == .outputLimitExceeded)
    let missing = await #expect(throws: ChildProcessError.self) {
      try await ChildProcess.runAsync("mlflow-git-no-such-program", arguments: [])
    }
    #expect(missing?.code == .executableNotFound)

    // More children than the cooperative pool has threads wait for a file that this task makes
    // only after a suspension. Were their waits on the pool's threads, this task could not
    // resume until they gave up (after 30 s, failing).
    let directory = try TemporaryDirectory("mlflow-git-run-async")
    let flag = directory.appending("go")
    let count = ProcessInfo.processInfo.activeProcessorCount + 2
    let script = "i=0; while [ ! -e \"$1\" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done; [ -e \"$1\" ]"
    let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
      for _ in 0..<count {
        group.addTask { try await ChildProcess.runAsync("sh", arguments: ["-c", script, "wait", flag]).exitStatus }
      }
      try await Task.sleep(for: .milliseconds(100))
      _ = try? Data().write(to: URL(fileURLWithPath: flag))
      return try await group.reduce(into: [Int32]()) { $0.append($1) }
    }
    #expect(statuses == Array(repeating: 0, count: count), "every child saw the file in time")
  }
}
