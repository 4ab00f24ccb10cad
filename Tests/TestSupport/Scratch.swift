import ChildProcess
import Foundation

/// A scratch folder with a private git configuration, where tests build real repositories with
/// the real `git` executable. Removed when the test ends (call ``remove()`` in a `defer`).
/// For a plain folder that removes itself, see ``TemporaryDirectory``.
package struct Scratch: Sendable {
  package let root: String
  /// The environment every git, Swift and Python call of the test uses: no system or user
  /// config but the scratch `.gitconfig`, a fixed identity, `main` as the initial branch.
  package let environment: [String: String]

  package init() throws {
    root = try TemporaryDirectory.create("mlflow-git-test")
    let home = root + "/home"
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    try """
      [user]
      \tname = Test User
      \temail = test@example.com
      [init]
      \tdefaultBranch = main
      [protocol "file"]
      \tallow = always
      [advice]
      \tdetachedHead = false
      [core]
      \tautocrlf = false
      [gc]
      \tauto = 0
      """.write(toFile: home + "/.gitconfig", atomically: false, encoding: .utf8)
    var environment: [String: String] = [:]
    environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    // Child processes' temporary files go where the test process's go (and are checked there:
    // see TemporaryLeftovers).
    if let temporary = ProcessInfo.processInfo.environment["TMPDIR"] { environment["TMPDIR"] = temporary }
    environment["HOME"] = home
    environment["GIT_CONFIG_NOSYSTEM"] = "1"
    environment["LANG"] = "C.UTF-8"
    environment["MLFLOW_DISABLE_TELEMETRY"] = "true"
    environment["DO_NOT_TRACK"] = "true"
    self.environment = environment
  }

  /// Removes the folder. A detached process the test started (the hooks' background worker, and
  /// what it runs) may still be working in it and would write into a half-removed folder: so
  /// first wait, up to 20 s, until no process has its current directory in the folder, then
  /// remove it (with `rm -rf` where Foundation cannot), trying again up to 10 times 0.2 s apart
  /// while something still writes there.
  package func remove() {
    let deadline = ContinuousClock.now + .seconds(20)
    while !Self.processes(workingIn: root).isEmpty, ContinuousClock.now < deadline { usleep(50_000) }
    for _ in 0..<10 {
      try? FileManager.default.removeItem(atPath: root)
      guard access(root, F_OK) == 0 else { return }
      // Foundation gives up on paths longer than PATH_MAX (a test's 20 nested 200-byte folder
      // names); rm walks the tree relative to each folder.
      _ = try? ChildProcess.run("rm", arguments: ["-rf", root])
      guard access(root, F_OK) == 0 else { return }
      usleep(200_000)
    }
  }

  /// The processes, other than this one, whose current directory is `folder` or inside it.
  static func processes(workingIn folder: String) -> [Int32] {
    let folder = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
      guard pid != getpid(),
        let directory = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")
      else { return false }
      return directory == folder || directory.hasPrefix(folder + "/")
    }
  }

  /// Creates a repository at `root/name` with one commit of `files` (path → content).
  @discardableResult
  package func repository(_ name: String = "repo", files: [String: String] = ["app.py": "def app():\n    return \"v1\"\n"]) throws -> String {
    let path = root + "/" + name
    try git(["init", "-q", path])
    for (file, content) in files { try write(content, to: path + "/" + file) }
    if !files.isEmpty {
      try git(["-C", path, "add", "-A"])
      try git(["-C", path, "commit", "-q", "-m", "first"])
    }
    return path
  }

  /// Runs `git arguments`, fails the test on a non-zero exit, and returns standard output
  /// without its trailing newline.
  @discardableResult
  package func git(_ arguments: [String], environment extra: [String: String] = [:]) throws -> String {
    let output = try ChildProcess.run("git", arguments: arguments, environment: environment.merging(extra) { $1 })
    guard output.succeeded else {
      throw TestFailure("git \(arguments.joined(separator: " ")) failed: \(output.standardErrorText)")
    }
    var text = output.standardOutputText
    if text.hasSuffix("\n") { text.removeLast() }
    return text
  }

  /// Writes an executable script (a hook); see ``writeExecutableFile(_:to:)``.
  package func writeExecutable(_ content: String, to path: String) throws {
    try writeExecutableFile(content, to: path)
  }

  package func write(_ content: String, to path: String) throws {
    try write(Array(content.utf8), to: path)
  }

  package func write(_ bytes: [UInt8], to path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    // Replaced as an editor saves a file: a new file beside it, renamed over it, so the path
    // gets a new inode (git's stat check, and the in-process one, must see a same-size edit made
    // in the same second). Not FileManager's atomic write, which leaves a `TemporaryDirectory.*`
    // folder in the temporary directory.
    let sibling = path + ".scratch-\(getpid())-\(UInt64.random(in: 0 ... .max))"
    try Data(bytes).write(to: URL(fileURLWithPath: sibling))
    guard rename(sibling, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(sibling)
      throw TestFailure("cannot replace \(path): \(reason)")
    }
  }
}

/// Writes an executable script (mode 755) from a child process, so no thread of the test
/// process ever holds it open for writing: a program spawned meanwhile by another test would
/// inherit that descriptor and make executing the script fail with "Text file busy".
package func writeExecutableFile(_ content: String, to path: String) throws {
  let output = try ChildProcess.run(
    "sh", arguments: ["-c", "mkdir -p \"${1%/*}\" && cat > \"$1\" && chmod 755 \"$1\"", "write", path],
    standardInput: Array(content.utf8))
  guard output.succeeded else { throw TestFailure("cannot write \(path): \(output.standardErrorText)") }
}
