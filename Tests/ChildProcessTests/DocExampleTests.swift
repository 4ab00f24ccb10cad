import Foundation
import Synchronization
import Testing
import TestSupport

@testable import ChildProcess

#if canImport(Glibc)
import Glibc
#endif

/// The `///` examples of ChildProcess, verbatim (between `doc example` and `end doc example`
/// lines, at the left margin as the comments show them), run with real programs.
@Suite("The `///` examples of ChildProcess run, and are their comments' text")
struct DocExampleTests {
  @Test("the examples this file holds are their comments' text, and every example of ChildProcess is held by a test")
  func examplesAreTheComments() throws {
    let problems = try DocExamples.problems(testFiles: [#filePath], modules: ["ChildProcess"], testFolders: ["ChildProcessTests"])
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))")
  }

  @Test("the run examples print what git and python3 wrote")
  func runExamples() async throws {
    var printed: [String] = []
    func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }
// doc example: Sources/ChildProcess/ChildProcess.swift
let output = try ChildProcess.run("git", arguments: ["--version"])
if output.succeeded { print(output.standardOutputText) }

let slow = try await ChildProcess.runAsync("python3", arguments: ["-c", "print(1)"])
// end doc example
    #expect(printed.count == 1 && printed[0].hasPrefix("git version "), "\(printed)")
    #expect(slow.succeeded && slow.standardOutputText == "1\n")

    let waited = try await runAsyncExample()
    #expect(waited.succeeded && waited.standardOutputText == "done\n")
  }

  /// runAsync's example: the output it read.
  func runAsyncExample() async throws -> ChildProcess.Output {
// doc example: Sources/ChildProcess/ChildProcessAsync.swift
let output = try await ChildProcess.runAsync(
  "python3", arguments: ["-c", "import time; time.sleep(2); print('done')"])
if output.succeeded { print(output.standardOutputText) }
// end doc example
    return output
  }

  @Test("onOwnThread's example runs the blocking stop and returns when it has")
  func onOwnThreadExample() async {
    let server = BlockingServer()
// doc example: Sources/ChildProcess/ChildProcessAsync.swift
await ChildProcess.onOwnThread { server.stop() }   // polls for seconds
// end doc example
    #expect(server.stopped.withLock { $0 })
  }

  @Test("the spawn examples start a child in its own process group, with default signals, under the spawn lock")
  func spawnExamples() throws {
    var pid = pid_t()
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
// doc example: Sources/ChildProcess/ChildProcess.swift
posix_spawnattr_setflags(&attributes, ChildProcess.startWithDefaultSignals(&attributes) | Int16(POSIX_SPAWN_SETPGROUP))
// end doc example
    // The child exits 0 only if it leads its own process group and SIGPIPE is not ignored.
    let script = #"""
      [ "$(cut -d' ' -f5 /proc/$$/stat)" = "$$" ] && ignored=$(awk '/^SigIgn/ { print $2 }' /proc/$$/status) \
        && [ $((0x$ignored & 0x1000)) -eq 0 ]
      """#
    let owned: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", script].map { (text: String) in strdup(text) }
    defer { owned.forEach { free($0) } }
    var arguments = owned + [nil]
    var environment: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
    defer { free(environment[0]) }
    let previous = signal(SIGPIPE, SIG_IGN)
    defer { signal(SIGPIPE, previous) }
// doc example: Sources/ChildProcess/SpawnLock.swift
let status = ChildProcess.withSpawnLock {
  posix_spawn(&pid, "/bin/sh", &actions, &attributes, &arguments, &environment)
}
// end doc example
    #expect(status == 0)
    var exit: Int32 = 0
    #expect(waitpid(pid, &exit, 0) == pid)
    #expect(exit == 0, "the child's wait status")
  }
}

/// onOwnThread's example's `server`: its stop blocks its thread.
final class BlockingServer: Sendable {
  let stopped = Mutex(false)
  func stop() {
    usleep(100_000)
    stopped.withLock { $0 = true }
  }
}
