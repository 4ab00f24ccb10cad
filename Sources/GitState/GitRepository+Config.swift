import ChildProcess

extension GitRepository {
  /// The repository's value for a config key such as `remote.origin.url` or
  /// `mlflow.trackingUri`, or `nil` when it is not set there.
  ///
  /// Reads the repository's own config file (`<common dir>/config`, and the files its plain
  /// `[include]`s name) without spawning a process; asks `git config --get` when that file has
  /// conditional includes, when the worktree has its own config, or when the file uses syntax
  /// this reader does not know. Values set only in the
  /// user's global config are not seen on the fast path, as MLflow's GitPython reader does not
  /// see them for remotes either.
  ///
  /// - Parameter key: `section.key` or `section.subsection.key`; the subsection may contain dots.
  package func configValue(_ key: String) throws(GitStateError) -> String? {
    guard let firstDot = key.firstIndex(of: "."), let lastDot = key.lastIndex(of: "."), lastDot != key.startIndex else {
      return nil
    }
    let section = String(key[..<firstDot])
    let name = String(key[key.index(after: lastDot)...])
    let subsection = firstDot == lastDot ? nil : String(key[key.index(after: firstDot)..<lastDot])
    if let bytes = FileSystem.contents(of: commonDirectory + "/config"),
      let config = GitConfigFile(text: String(decoding: bytes, as: UTF8.self))?
        .expandingIncludes(relativeTo: commonDirectory),
      !FileSystem.exists(gitDirectory + "/config.worktree")
    {
      return config.lastValue(section: section, subsection: subsection, key: name)
    }
    let output = try git.output(["config", "--get", key])
    guard output.succeeded else {
      if output.exitStatus == 1 { return nil }
      throw GitStateError.gitFailed(["config", "--get", key], output)
    }
    var text = output.standardOutput
    if text.last == UInt8(ascii: "\n") { text.removeLast() }
    return String(decoding: text, as: UTF8.self)
  }
}

extension GitRepository {
  /// Sets `key` to `value` in the repository's own config file (`git config --local`).
  package func setConfigValue(_ key: String, to value: String) throws(GitStateError) {
    _ = try git.run(["config", "--local", key, value])
  }

  /// Removes `key` from the repository's own config file; a missing key is not an error.
  package func removeConfigValue(_ key: String) throws(GitStateError) {
    let output = try git.output(["config", "--local", "--unset-all", key])
    guard output.succeeded || output.exitStatus == 5 else {
      throw GitStateError.gitFailed(["config", "--local", "--unset-all", key], output)
    }
  }
}
