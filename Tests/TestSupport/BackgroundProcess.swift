import ChildProcess
package import Foundation
import Synchronization

/// A long-running child (an `mlflow server`, a proxy, a stand-in API) started in its own process
/// group, so that it and every process it spawns are stopped together: by ``stop()``, when the
/// object goes away, or at the latest when the test process exits (``ExitCleanup``).
package final class BackgroundProcess: Sendable {
  /// The process group's leader.
  package let pid: pid_t
  /// Where its standard output and error go.
  package let logPath: String
  private let stopped = Mutex(false)

  /// Starts `executable arguments…` in `directory`, in a new process group, with standard input
  /// from /dev/null and its output to `logPath`.
  package init(
    _ executable: String, _ arguments: [String], in directory: String, environment: [String: String], logPath: String
  ) throws {
    self.logPath = logPath
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setpgroup(&attributes, 0)
    // Default signal handling, none blocked: a SIGTERM blocked on the spawning (cooperative)
    // thread would otherwise stay blocked in the child, and stop() wait 3 s for SIGKILL.
    posix_spawnattr_setflags(
      &attributes, ChildProcess.startWithDefaultSignals(&attributes) | Int16(POSIX_SPAWN_SETPGROUP))
    let argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory, executable] + arguments
    var cArguments = argv.map { strdup($0) } + [nil]
    var cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      cArguments.forEach { free($0) }
      cEnvironment.forEach { free($0) }
    }
    var child = pid_t()
    let status = ChildProcess.withSpawnLock {
      posix_spawn(&child, "/bin/sh", &actions, &attributes, &cArguments, &cEnvironment)
    }
    guard status == 0 else { throw TestFailure("posix_spawn failed: \(String(cString: strerror(status)))") }
    pid = child
    ExitCleanup.stopAtExit(processGroup: child)
  }

  /// `true` while the process it started has not exited.
  package var isRunning: Bool {
    var status: Int32 = 0
    return waitpid(pid, &status, WNOHANG) == 0
  }

  /// What it printed, for failure messages.
  package var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  /// The processes still in its process group.
  package func groupMembers() -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(pid_t.init).filter { getpgid($0) == pid }
  }

  /// Stops the process group: SIGTERM, then SIGKILL for what is left after 3 s; returns once
  /// no member is left (or 3 s more have passed). Stopping twice does nothing.
  ///
  /// This blocks the calling thread while it waits (in a `defer` or `deinit`, where nothing can
  /// be awaited); async code should `await stop()`, which waits on a thread of its own.
  package func stop() {
    guard stopped.withLock({ stopped in
      defer { stopped = true }
      return !stopped
    }) else { return }
    kill(-pid, SIGTERM)
    var status: Int32 = 0
    var reaped = false
    for _ in 0..<300 {
      if !reaped { reaped = waitpid(pid, &status, WNOHANG) != 0 }
      if reaped && groupMembers().isEmpty { break }
      usleep(10_000)
    }
    kill(-pid, SIGKILL)
    if !reaped { waitpid(pid, &status, 0) }
    for _ in 0..<300 where !groupMembers().isEmpty { usleep(10_000) }
    ExitCleanup.forget(processGroup: pid)
  }

  /// The port that this process, a server, writes to `portFile` once it accepts connections;
  /// waited for up to 30 s. Should the server exit or not write it in time, it is stopped and the
  /// error names it (`label`) with its log.
  ///
  /// ```swift
  /// let port = try await server.port(writtenTo: directory + "/port", label: "the echo server")
  /// ```
  package func port(writtenTo portFile: String, label: String) async throws -> String {
    let deadline = ContinuousClock.now + .seconds(30)
    while true {
      if let port = try? String(contentsOfFile: portFile, encoding: .utf8), !port.isEmpty { return port }
      guard isRunning, ContinuousClock.now < deadline else {
        await stop()
        throw TestFailure("\(label) did not start: \(log)")
      }
      try await Task.sleep(for: .milliseconds(20))
    }
  }

  /// The blocking `stop()` run on a thread of its own, so that no cooperative thread
  /// blocks while the group shuts down.
  package func stop() async {
    await ChildProcess.onOwnThread { self.stop() }
  }

  deinit { stop() }
}
