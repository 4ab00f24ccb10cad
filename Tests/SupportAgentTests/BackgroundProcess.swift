import Foundation
import TestSupport

/// A long-running child (the stand-in chat server, `mlflow server`) in its own process group,
/// so it and every process it starts are stopped together by ``stop()``.
final class BackgroundProcess: @unchecked Sendable {
  let pid: pid_t
  /// Where its standard output and error go.
  let logPath: String
  private var stopped = false

  /// Starts `executable arguments…` in `directory`, in a new process group, output to `logPath`.
  init(_ executable: String, _ arguments: [String], in directory: String, environment: [String: String], logPath: String) throws {
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
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    let argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory, executable] + arguments
    var cArguments = argv.map { strdup($0) } + [nil]
    var cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      cArguments.forEach { free($0) }
      cEnvironment.forEach { free($0) }
    }
    var child = pid_t()
    let status = posix_spawn(&child, "/bin/sh", &actions, &attributes, &cArguments, &cEnvironment)
    guard status == 0 else { throw TestFailure("posix_spawn failed: \(String(cString: strerror(status)))") }
    pid = child
  }

  /// `true` while the process it started has not exited.
  var isRunning: Bool {
    var status: Int32 = 0
    return waitpid(pid, &status, WNOHANG) == 0
  }

  /// What it printed, for failure messages.
  var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  /// Stops the process group: SIGTERM, then SIGKILL for what is left after 3 s.
  func stop() {
    guard !stopped else { return }
    stopped = true
    kill(-pid, SIGTERM)
    for _ in 0..<30 where kill(-pid, 0) == 0 { usleep(100_000) }
    kill(-pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
  }

  deinit { stop() }

  /// A TCP port on 127.0.0.1 that nothing listens on right now.
  static func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
        bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
      }
    }
    guard bound else { throw TestFailure("cannot bind a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}
