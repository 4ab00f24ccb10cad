import ChildProcess

/// What `git diff`'s output depends on besides `HEAD`, the index, the pathspecs and the changed
/// files themselves: the config and attributes files git reads, the `git` executable, and the
/// environment variables that move or override them.
///
/// A ``RecordedDiff`` is reused only while all of these are as they were: each file by its
/// ``PathStamp`` (following links, so a repointed `~/.gitconfig` counts), each variable by its
/// value. Included config files and `core.attributesFile`/`diff.orderFile` name files that are
/// not watched, so config that uses them is never recorded (``allowsRecording(for:)``).
struct DiffContext: Sendable, Hashable {
  /// One watched file: its path and stamp (`nil`: missing).
  struct Input: Sendable, Hashable {
    var path: String
    var stamp: PathStamp?
  }

  /// `NAME=value` lines of the variables that change what git reads or how it prints.
  var environment: String
  var inputs: [Input]

  /// The variables in ``environment``.
  static let variables = [
    "PATH", "HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_GLOBAL",
    "GIT_ATTR_NOSYSTEM", "GIT_ATTR_SOURCE", "GIT_EXEC_PATH", "GIT_DIFF_OPTS", "GIT_LITERAL_PATHSPECS",
    "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS",
  ]

  /// Words whose presence in a config file names a file or program outside the watched set.
  static let unwatchedConfigWords: [[UInt8]] = ["include", "attributesfile", "orderfile"].map { Array($0.utf8) }

  /// The context now, for a diff of `changes` in `repository`, or `nil` when a file cannot be
  /// stamped or `git` is not on the `PATH`.
  static func current(for repository: GitRepository, changes: [ChangedEntry]) -> DiffContext? {
    guard let paths = watchedPaths(for: repository, changes: changes) else { return nil }
    var inputs: [Input] = []
    inputs.reserveCapacity(paths.count)
    for path in paths {
      guard let stamp = PathStamp.of(path, following: true) else { return nil }
      inputs.append(Input(path: path, stamp: stamp))
    }
    var environment = ""
    for name in variables {
      if let value = Environment.value(name, in: repository.environment) { environment += name + "=" + value + "\n" }
    }
    return DiffContext(environment: environment, inputs: inputs)
  }

  /// The files git reads to print the diff of `changes`: config (system, global, repository,
  /// worktree), attributes (system, global, `info/attributes`, and the `.gitattributes` of every
  /// directory leading to a changed path), and the `git` a child process runs.
  static func watchedPaths(for repository: GitRepository, changes: [ChangedEntry]) -> [String]? {
    guard let git = ChildProcess.resolve("git", environment: repository.environment) else { return nil }
    func variable(_ name: String) -> String? { Environment.value(name, in: repository.environment) }
    var paths = configPaths(for: repository)
    if !(variable("GIT_ATTR_NOSYSTEM").flatMap(gitBoolean) ?? false) { paths.append("/etc/gitattributes") }
    if let xdg = variable("XDG_CONFIG_HOME"), !xdg.isEmpty {
      paths.append(xdg + "/git/attributes")
    } else if let home = variable("HOME"), !home.isEmpty {
      paths.append(home + "/.config/git/attributes")
    }
    paths.append(repository.commonDirectory + "/info/attributes")
    var directories: Set<[UInt8]> = []
    for change in changes {
      directories.insert([])
      for (offset, byte) in change.path.enumerated() where byte == UInt8(ascii: "/") {
        directories.insert(Array(change.path[...offset]))
      }
    }
    for directory in directories.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
      // A folder name that is not UTF-8 has no `String` path to stamp: nothing is recorded.
      guard let name = String(validating: directory, as: UTF8.self) else { return nil }
      paths.append(repository.workTree + "/" + name + ".gitattributes")
    }
    paths.append(git)
    return paths
  }

  /// Every config file git reads for `repository`.
  static func configPaths(for repository: GitRepository) -> [String] {
    StatCheckSettings.outsideConfigPaths(for: repository)
      + [repository.commonDirectory + "/config", repository.gitDirectory + "/config.worktree"]
  }

  /// `true` when no config file includes another or names an attributes or order file (those
  /// would be inputs this context does not watch) and every one could be read.
  static func allowsRecording(for repository: GitRepository) -> Bool {
    for path in configPaths(for: repository) {
      switch FileSystem.read(path) {
      case .missing: continue
      case .notAFile, .unreadable: return false
      case .contents(let bytes):
        if unwatchedConfigWords.contains(where: { bytes.containsIgnoringASCIICase($0) }) { return false }
      }
    }
    return true
  }
}
