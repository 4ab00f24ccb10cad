package import ChildProcess

extension GitRepository {
  /// One value of a config key, with the scope and file that set it.
  package struct ConfigSetting: Sendable, Hashable {
    /// `system`, `global`, `local`, `worktree` or `command`.
    package var scope: String
    /// Where git read it: `file:<path>` (as git names it), `command line:` …
    package var origin: String
    package var value: String
  }

  /// Every value of `key` git sees for this repository, in the order git reads them (the last
  /// one wins for single-valued keys), includes followed.
  ///
  /// # Usage
  /// ```swift
  /// for setting in try repository.configSettings("core.hooksPath") {
  ///   print(setting.scope, setting.origin, setting.value)   // local file:/src/app/.git/config .husky/_
  /// }
  /// ```
  package func configSettings(_ key: String) throws(GitStateError) -> [ConfigSetting] {
    let arguments = ["config", "--show-scope", "--show-origin", "-z", "--get-all", key]
    let output = try git.output(arguments)
    guard output.succeeded else {
      if output.exitStatus == 1 { return [] }
      throw GitStateError.gitFailed(arguments, output)
    }
    let fields = output.standardOutput.split(separator: 0, omittingEmptySubsequences: false)
      .map { String(decoding: $0, as: UTF8.self) }
    return stride(from: 0, to: fields.count - 2, by: 3).map {
      ConfigSetting(scope: fields[$0], origin: fields[$0 + 1], value: fields[$0 + 2])
    }
  }

  /// Whether `path` (relative to the work tree's top) is tracked in the index.
  package func isTracked(_ path: String) throws(GitStateError) -> Bool {
    try git.output(["ls-files", "--error-unmatch", "--", path]).succeeded
  }

  /// Whether `path` (relative to the work tree's top) is ignored by `.gitignore`,
  /// `info/exclude` or the global excludes file.
  package func isIgnored(_ path: String) throws(GitStateError) -> Bool {
    try git.output(["check-ignore", "-q", "--no-index", "--", path]).succeeded
  }

  /// Runs `executable` (a path, or a name looked up on `PATH`) at the top of the work tree,
  /// with this process's environment less the variables that point git at another repository:
  /// for tools that act on the repository they run in, such as hook managers.
  package func runInWorkTree(_ executable: String, _ arguments: [String]) throws(GitStateError) -> ChildProcess.Output {
    do {
      return try ChildProcess.run(
        "/bin/sh", arguments: ["-c", "cd \"$1\" && shift && exec \"$@\"", "sh", workTree, executable] + arguments,
        environment: git.environment)
    } catch {
      throw GitStateError.spawnFailed(error)
    }
  }
}
