import Foundation

/// A long-running child (an `mlflow server`) started in its own process group, so that it and
/// every process it spawns can be stopped together.
final class BackgroundProcess {
  let pid: pid_t
  /// Where its standard output and error go.
  let logPath: String

  /// Starts `/bin/sh -c command` in `directory`, in a new process group, output to `logPath`.
  init(shellCommand command: String, in directory: String, environment: [String: String], logPath: String) throws {
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
    let script = "cd \"$0\" && exec " + command
    let arguments = ["/bin/sh", "-c", script, directory]
    let environmentLines = environment.map { "\($0.key)=\($0.value)" }
    var argv = arguments.map { strdup($0) } + [nil]
    var envp = environmentLines.map { strdup($0) } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var child = pid_t()
    let status = posix_spawn(&child, "/bin/sh", &actions, &attributes, &argv, &envp)
    guard status == 0 else { throw TestFailure("posix_spawn failed: \(String(cString: strerror(status)))") }
    pid = child
  }

  /// The processes still in its process group.
  func groupMembers() -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(pid_t.init).filter { getpgid($0) == pid }
  }

  /// Stops the whole process group: SIGTERM, then SIGKILL for what is left after 3 s.
  func stopGroup() {
    kill(-pid, SIGTERM)
    for _ in 0..<30 where !groupMembers().isEmpty { usleep(100_000) }
    kill(-pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    for _ in 0..<30 where !groupMembers().isEmpty { usleep(100_000) }
  }

  private var detached = false

  /// Leaves the group running when this object goes away (it is stopped another way, e.g. by
  /// ``ProcessGroups`` at exit).
  func detach() { detached = true }

  deinit { if !detached { stopGroup() } }

  /// A TCP port on 127.0.0.1 that nothing listens on right now.
  static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
        bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
      }
    }
    guard bound else { throw TestFailure("cannot bind a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}
