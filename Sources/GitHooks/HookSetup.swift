package import GitState
import LocalFiles

#if canImport(Glibc)
import Glibc
#endif

/// How a repository runs its hooks before mlflow-git: the folder git runs them from and the
/// hook manager (if any) that writes them.
///
/// # Usage
/// ```swift
/// let setup = try HookSetup.detect(in: repository)
/// print(setup.manager, setup.teamHooksDirectory)   // husky 9, /src/app/.husky/_
/// ```
package struct HookSetup: Sendable, Hashable {
  /// The tool that writes the repository's hooks.
  package enum Manager: Sendable, Hashable, CustomStringConvertible {
    /// No manager: hooks are files in `.git/hooks`, written by hand or not at all.
    case none
    /// husky 4 (a runner in `.git/hooks`), 8 (`core.hooksPath=.husky`) or 9 (`.husky/_`).
    case husky(version: Int)
    /// lefthook, configured by the file at `config` (`lefthook.yml` …) at the work tree's top.
    case lefthook(config: String)
    /// pre-commit (`.pre-commit-config.yaml`, or its hooks in `.git/hooks`).
    case preCommit
    /// A hooks folder of the team's own, named by `core.hooksPath`.
    case hooksPath

    package var description: String {
      switch self {
      case .none: "no hook manager"
      case .husky(let version): "husky \(version)"
      case .lefthook: "lefthook"
      case .preCommit: "pre-commit"
      case .hooksPath: "core.hooksPath"
      }
    }
  }

  /// `core.hooksPath` as the user set it (mlflow-git's own setting not counted), or `nil`.
  package var hooksPath: String?
  /// Where `hooksPath` was set: `local`, `global`, `system` …
  package var hooksPathScope: String?
  /// The folder git runs hooks from without mlflow-git's forwarding, absolute.
  package var teamHooksDirectory: String
  package var manager: Manager

  /// Whether `core.hooksPath` comes from the user's or the system's configuration, so the
  /// folder serves every repository.
  package var hooksPathIsShared: Bool { hooksPathScope == "global" || hooksPathScope == "system" }

  /// The config file mlflow-git's forwarding includes: its `core.hooksPath` is not the team's.
  static let forwardingConfigName = StateFolder.name + "/hooks.config"

  /// Reads the repository's hook configuration (one `git config` process).
  package static func detect(in repository: GitRepository) throws(HookInstallError) -> HookSetup {
    let settings: [GitRepository.ConfigSetting]
    do {
      settings = try repository.configSettings("core.hooksPath")
    } catch {
      throw HookInstallError("cannot read core.hooksPath: \(error)")
    }
    let own = settings.filter { !$0.origin.hasSuffix(forwardingConfigName) }.last
    if let own, !own.value.isEmpty {
      let directory = absoluteHooksPath(own.value, workTree: repository.workTree)
      let manager: Manager =
        if FileOperations.exists(directory + "/h") && directory.hasSuffix("/_") {
          .husky(version: 9)
        } else if FileOperations.exists(directory + "/_/husky.sh") {
          .husky(version: 8)
        } else {
          .hooksPath
        }
      return HookSetup(hooksPath: own.value, hooksPathScope: own.scope, teamHooksDirectory: directory, manager: manager)
    }
    let directory = repository.commonDirectory + "/hooks"
    let manager: Manager =
      if let config = Lefthook.configFile(in: repository.workTree) {
        .lefthook(config: config)
      } else if FileOperations.exists(directory + "/husky.sh") {
        .husky(version: 4)
      } else if FileOperations.exists(repository.workTree + "/" + PreCommit.configName)
        || HookProgram.events.contains(where: { PreCommit.isItsHook(PrivateFiles.contents(directory + "/" + $0)) })
      {
        .preCommit
      } else {
        .none
      }
    return HookSetup(hooksPath: nil, hooksPathScope: nil, teamHooksDirectory: directory, manager: manager)
  }

  /// `core.hooksPath` made absolute as git resolves it: `~/` from `HOME`, a relative path from
  /// the folder hooks run in (the work tree's top).
  static func absoluteHooksPath(_ value: String, workTree: String) -> String {
    if value.hasPrefix("~/"), let home = getenv("HOME") { return String(cString: home) + value.dropFirst() }
    if value.hasPrefix("/") { return value }
    return workTree + "/" + value
  }

  /// The team's hooks in `folder` that mlflow-git's forwarding folder must run (its own events
  /// aside): the files named as git hooks, and of husky 9's dispatchers (`.husky/_/<hook>`, one
  /// for every hook, which do nothing without a `.husky/<hook>`) only those with a team hook, so
  /// a commit does not start a shell for each hook the team does not use.
  static func forwardedHooks(in folder: String) -> Set<String> {
    let names = Set(listDirectory(folder).filter(gitHookNames.contains)).subtracting(HookProgram.events)
    guard folder.hasSuffix("/_"), FileOperations.exists(folder + "/h") else { return names }
    let team = String(folder.dropLast(2))
    return names.filter { FileOperations.exists(team + "/" + $0) }
  }

  /// The hook names git runs (githooks(5)), for forwarding the team's hooks by their names.
  static let gitHookNames: Set<String> = [
    "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit", "prepare-commit-msg",
    "commit-msg", "post-commit", "pre-rebase", "post-checkout", "post-merge", "pre-push", "pre-receive", "update",
    "proc-receive", "post-receive", "post-update", "reference-transaction", "push-to-checkout", "pre-auto-gc",
    "post-rewrite", "sendemail-validate", "fsmonitor-watchman", "p4-changelist", "p4-prepare-changelist",
    "p4-post-changelist", "p4-pre-submit", "post-index-change",
  ]
}
