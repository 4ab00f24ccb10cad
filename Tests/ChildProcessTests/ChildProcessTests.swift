import ChildProcess
import Foundation
import Testing
import TestSupport

@Suite("ChildProcess runs real programs: status, output, environment, input, limits, errors")
struct ChildProcessTests {
  @Test("the exit status is the program's; a signal that ends it is 128 + its number")
  func exitStatusAndSignals() throws {
    let success = try ChildProcess.run("/bin/sh", arguments: ["-c", "exit 0"])
    #expect(success.exitStatus == 0 && success.succeeded)
    let failure = try ChildProcess.run("/bin/sh", arguments: ["-c", "exit 3"])
    #expect(failure.exitStatus == 3 && !failure.succeeded)
    let terminated = try ChildProcess.run("/bin/sh", arguments: ["-c", "kill -TERM $$; sleep 5"])
    #expect(terminated.exitStatus == 128 + SIGTERM)
    let killed = try ChildProcess.run("/bin/sh", arguments: ["-c", "kill -KILL $$; sleep 5"])
    #expect(killed.exitStatus == 128 + SIGKILL)
  }

  @Test("the child starts with default signal handling even when this process ignores SIGPIPE")
  func defaultSignalHandling() throws {
    // Programs ignore SIGPIPE to see EPIPE instead (a server writing to a closed socket); a
    // child inheriting that would not stop when its reader goes away.
    let previous = signal(SIGPIPE, SIG_IGN)
    defer { signal(SIGPIPE, previous) }
    let output = try ChildProcess.run(
      "/bin/sh", arguments: ["-c", #"(yes; echo "yes ended $?" >&2) | head -c 1 >/dev/null"#])
    #expect(output.standardErrorText == "yes ended \(128 + SIGPIPE)", "yes was killed by SIGPIPE, not told EPIPE")
  }

  @Test("standard output and standard error are kept apart, byte for byte, even invalid UTF-8")
  func outputCapture() throws {
    let output = try ChildProcess.run(
      "/bin/sh", arguments: ["-c", #"printf 'out\377\000line\n'; printf '  err text \n' >&2"#])
    #expect(output.standardOutput == Array("out".utf8) + [0xFF, 0x00] + Array("line\n".utf8))
    #expect(output.standardError == Array("  err text \n".utf8))
    #expect(output.standardErrorText == "err text", "trimmed of surrounding white space")
    #expect(output.standardOutputText == "out\u{FFFD}\u{0}line\n", "invalid UTF-8 is replaced, not dropped")
  }

  @Test("megabytes on both streams at once arrive whole: neither pipe fills and deadlocks")
  func largeOutputOnBothStreams() throws {
    let size = 4 << 20
    let output = try ChildProcess.run(
      "/bin/sh", arguments: ["-c", "head -c \(size) /dev/zero & head -c \(size) /dev/zero >&2; wait"])
    #expect(output.succeeded)
    #expect(output.standardOutput.count == size)
    #expect(output.standardError.count == size)
  }

  @Test("an environment given is the child's whole environment; nil inherits this process's")
  func environment() throws {
    let given = try ChildProcess.run("/usr/bin/env", arguments: [], environment: ["GREETING": "hello world", "EMPTY": ""])
    #expect(given.standardOutputText.split(separator: "\n").sorted() == ["EMPTY=", "GREETING=hello world"])

    let inherited = try ChildProcess.run("/bin/sh", arguments: ["-c", #"printf %s "$PATH""#])
    #expect(inherited.standardOutputText == ProcessInfo.processInfo.environment["PATH"])
  }

  @Test("a bare program name is looked up on the PATH of the environment given")
  func lookupOnGivenPath() throws {
    let found = try ChildProcess.run("sh", arguments: ["-c", "echo found"], environment: ["PATH": "/nonexistent:/bin"])
    #expect(found.standardOutputText == "found\n")
    #expect(ChildProcess.resolve("sh", environment: ["PATH": "/nonexistent:/bin"]) == "/bin/sh")
    #expect(ChildProcess.resolve("sh", environment: ["PATH": "/nonexistent"]) == nil)
    #expect(ChildProcess.resolve("sh", environment: [:]) == nil)
  }

  @Test("standard input gets exactly the bytes given, megabytes included; nil and empty give end of file")
  func standardInput() throws {
    let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
    // `cat` echoes while it reads: the input must go in while the output comes out.
    let echoed = try ChildProcess.run("/bin/cat", arguments: [], standardInput: bytes)
    #expect(echoed.succeeded)
    // elementsEqual, not ==: a failing == of megabytes makes Swift Testing diff them for minutes.
    #expect(echoed.standardOutput.count == bytes.count)
    #expect(echoed.standardOutput.elementsEqual(bytes))

    let none = try ChildProcess.run("/bin/cat", arguments: [])
    #expect(none.succeeded && none.standardOutput.isEmpty)
    let empty = try ChildProcess.run("/bin/cat", arguments: [], standardInput: [])
    #expect(empty.succeeded && empty.standardOutput.isEmpty)
  }

  @Test("a child that stops reading early does not make the caller fail or hang")
  func inputNotRead() throws {
    let output = try ChildProcess.run(
      "/bin/sh", arguments: ["-c", "head -c 5"], standardInput: Array(repeating: UInt8(ascii: "x"), count: 1 << 20))
    #expect(output.standardOutputText == "xxxxx")
  }

  @Test("output up to the limit is kept; past it the child is killed and outputLimitExceeded thrown")
  func outputLimit() async throws {
    let atLimit = try ChildProcess.run("/bin/sh", arguments: ["-c", "printf 0123456789"], outputLimit: 10)
    #expect(atLimit.standardOutputText == "0123456789")

    // `yes` never ends by itself: only the kill stops it.
    let error = #expect(throws: ChildProcessError.self) {
      try ChildProcess.run("/usr/bin/yes", arguments: [], outputLimit: 1000)
    }
    #expect(error?.code == .outputLimitExceeded)
    #expect(error?.description == "'/usr/bin/yes' printed more output than allowed and was stopped")

    let asyncError = await #expect(throws: ChildProcessError.self) {
      try await ChildProcess.runAsync("/usr/bin/yes", arguments: [], outputLimit: 1000)
    }
    #expect(asyncError?.code == .outputLimitExceeded)

    // Only standard output counts.
    let loudError = try ChildProcess.run("/bin/sh", arguments: ["-c", "head -c 100000 /dev/zero >&2"], outputLimit: 10)
    #expect(loudError.succeeded && loudError.standardError.count == 100_000)
  }

  @Test("a missing program is executableNotFound, with a message that names it and says what to do")
  func missingExecutable() throws {
    let byName = #expect(throws: ChildProcessError.self) {
      try ChildProcess.run("mlflow-git-no-such-program", arguments: [])
    }
    #expect(byName?.code == .executableNotFound)
    #expect(byName?.executable == "mlflow-git-no-such-program")
    #expect(byName?.description == "'mlflow-git-no-such-program' was not found on PATH; install it or add its folder to PATH")

    let byPath = #expect(throws: ChildProcessError.self) {
      try ChildProcess.run("/nonexistent/mlflow-git-no-such-program", arguments: [])
    }
    #expect(byPath?.code == .executableNotFound)
    #expect(byPath?.errno == ENOENT)
  }

  @Test("a file that is not executable is spawnFailed with the system's reason")
  func notExecutable() throws {
    let directory = try TemporaryDirectory("child-process")
    let path = directory.appending("not-executable")
    #expect(FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o600]))
    let error = #expect(throws: ChildProcessError.self) { try ChildProcess.run(path, arguments: []) }
    #expect(error?.code == .spawnFailed)
    #expect(error?.errno == EACCES)
    #expect(error?.description == "could not start '\(path)': Permission denied")
  }

  @Test(
    "runAsync waits off Swift's cooperative threads: three children per core, sleeping at once, take one sleep",
    .tags(.timingSensitive))
  func runAsyncLeavesCooperativeThreadsFree() async throws {
    // The cooperative pool has one thread per core; had each runAsync held one while waiting,
    // the sleeps would go a core's worth at a time and take three sleeps in all.
    let count = 3 * ProcessInfo.processInfo.activeProcessorCount
    let sleep = Duration.seconds(1)
    let started = ContinuousClock.now
    let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
      for _ in 0..<count {
        group.addTask { try await ChildProcess.runAsync("/bin/sleep", arguments: ["1"]).exitStatus }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    let elapsed = ContinuousClock.now - started
    #expect(statuses == Array(repeating: 0, count: count))
    #expect(elapsed >= sleep)
    #expect(elapsed < sleep * 2, "\(count) concurrent one-second sleeps took \(elapsed)")
  }

  @Test("runAsync gives the same result as run")
  func runAsyncResult() async throws {
    let output = try await ChildProcess.runAsync(
      "/bin/sh", arguments: ["-c", #"cat; printf "$X" >&2; exit 4"#], environment: ["X": "x"],
      standardInput: Array("in".utf8))
    #expect(output == ChildProcess.Output(exitStatus: 4, standardOutput: Array("in".utf8), standardError: Array("x".utf8)))
  }
}
