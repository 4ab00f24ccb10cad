/// The settings that decide how git compares work-tree files with the index, read from the
/// config files a child `git` reads: system, global (XDG and `~/.gitconfig`, or
/// `GIT_CONFIG_GLOBAL`), the repository's, and the worktree's (`extensions.worktreeConfig`).
///
/// `core.fsmonitor`, `core.ignoreStat` and a `core.checkStat` other than `default` send the
/// question to `git status`, as does a config file that names one of these keys but cannot be
/// read or parsed (files that name none are not parsed: most never do). Included
/// files are not followed: every setting that matters here can only make git's comparison
/// looser than ``WorkTreeStatCheck``'s (or, for `core.fileMode=false`, is then not applied, which
/// keeps the check strict), so one hidden in an include cannot turn a dirty tree clean.
struct StatCheckSettings: Sendable, Hashable {
  /// `core.fileMode`: the owner executable bit counts (git's default).
  var trustsExecutableBit = true
  /// A setting the in-process check does not model, or `nil`.
  var unsupported: StatusFallbackReason?

  /// Words one of which a config file must contain to set anything read here.
  static let keywords: [[UInt8]] = ["filemode", "fsmonitor", "ignorestat", "checkstat", "worktreeconfig"].map { Array($0.utf8) }

  /// Reads the settings for `repository`.
  static func read(for repository: GitRepository) -> StatCheckSettings {
    var settings = StatCheckSettings()
    var values: [String: String?] = [:]  // lowercased `core.<key>` → last value (nil: bare key)
    let keys: Set<String> = ["filemode", "fsmonitor", "ignorestat", "checkstat"]

    func load(_ path: String) -> GitConfigFile?? {
      switch FileSystem.read(path) {
      case .missing: return .some(nil)
      case .notAFile, .unreadable: return nil
      case .contents(let bytes):
        // Most files name none of these keys; parsing them would only cost time.
        guard StatCheckSettings.keywords.contains(where: { bytes.containsIgnoringASCIICase($0) }) else {
          return .some(nil)
        }
        guard let file = GitConfigFile(text: String(decoding: bytes, as: UTF8.self)) else { return nil }
        for entry in file.entries where entry.section == "core" && entry.subsection == nil && keys.contains(entry.key) {
          values[entry.key] = .some(entry.value)
        }
        return .some(file)
      }
    }

    for path in outsideConfigPaths(for: repository) {
      guard load(path) != nil else { return StatCheckSettings(unsupported: .config("unreadable \(path)")) }
    }
    guard let local = load(repository.commonDirectory + "/config") else {
      return StatCheckSettings(unsupported: .config("unreadable \(repository.commonDirectory)/config"))
    }
    let worktreeConfig = local?.entries.last { $0.section == "extensions" && $0.subsection == nil && $0.key == "worktreeconfig" }
    if let worktreeConfig, gitBoolean(worktreeConfig.value) ?? true {
      let path = repository.gitDirectory + "/config.worktree"
      guard load(path) != nil else { return StatCheckSettings(unsupported: .config("unreadable \(path)")) }
    }

    if let value = values["fsmonitor"], gitBoolean(value) != false {
      settings.unsupported = .config("core.fsmonitor")
    } else if let value = values["ignorestat"], gitBoolean(value) != false {
      settings.unsupported = .config("core.ignoreStat")
    } else if let value = values["checkstat"], value?.lowercased() != "default" {
      settings.unsupported = .config("core.checkStat")
    } else if let value = values["filemode"] {
      guard let trusted = gitBoolean(value) else { return StatCheckSettings(unsupported: .config("core.fileMode")) }
      settings.trustsExecutableBit = trusted
    }
    return settings
  }
}

extension StatCheckSettings {
  /// The system and global config files a child `git` of `repository` reads, in order (the
  /// repository's own and the worktree's come after them).
  static func outsideConfigPaths(for repository: GitRepository) -> [String] {
    let environment = repository.environment
    func variable(_ name: String) -> String? { Environment.value(name, in: environment) }
    var paths: [String] = []
    if !(variable("GIT_CONFIG_NOSYSTEM").flatMap(gitBoolean) ?? false) {
      paths.append(variable("GIT_CONFIG_SYSTEM") ?? "/etc/gitconfig")
    }
    if let global = variable("GIT_CONFIG_GLOBAL") {
      if !global.isEmpty { paths.append(global) }
    } else {
      let home = variable("HOME") ?? ""
      if let xdg = variable("XDG_CONFIG_HOME"), !xdg.isEmpty {
        paths.append(xdg + "/git/config")
      } else if !home.isEmpty {
        paths.append(home + "/.config/git/config")
      }
      if !home.isEmpty { paths.append(home + "/.gitconfig") }
    }
    return paths
  }
}

/// A config boolean as git reads it: a bare key, `true`/`yes`/`on` or a non-zero integer is
/// true; `false`/`no`/`off`, `0` or an empty value is false; anything else is `nil`.
func gitBoolean(_ value: String?) -> Bool? {
  guard let value else { return true }
  switch value.lowercased() {
  case "true", "yes", "on": return true
  case "false", "no", "off", "": return false
  default: return Int(value).map { $0 != 0 }
  }
}

extension [UInt8] {
  /// `true` when `word` (lowercase ASCII) occurs in these bytes, ignoring ASCII case.
  func containsIgnoringASCIICase(_ word: [UInt8]) -> Bool {
    guard let first = word.first, count >= word.count else { return false }
    var start = 0
    while start + word.count <= count {
      if self[start] | 0x20 == first {
        var matched = 1
        while matched < word.count && self[start + matched] | 0x20 == word[matched] { matched += 1 }
        if matched == word.count { return true }
      }
      start += 1
    }
    return false
  }
}
