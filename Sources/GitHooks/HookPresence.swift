import LocalFiles

/// Whether mlflow-git's versioning hooks still run in a repository where it was installed.
///
/// A hook manager can remove them without a word (lefthook moving them to `.old` when it syncs,
/// `pre-commit install -f`, a hand-set `core.hooksPath`), and from then on no commit is
/// registered. The check reads the install manifest and one to three small files (mlflow-git's
/// `post-commit` hook, or the manager's hook and its configuration) and spawns nothing, so an
/// app start, `mlflow-git status` and `versions` can afford it (HooksBenchmark times it).
///
/// # Usage
/// ```swift
/// if let notice = HookPresence.notice(commonDirectory: repository.commonDirectory) {
///   print("mlflow-git: \(notice)")
/// }
/// ```
package enum HookPresence {
  /// What was found.
  package struct Status: Sendable, Hashable {
    /// How install made the hooks run: `in-place`, `forwarding`, `lefthook`, `pre-commit-shared`,
    /// `shared-lines`.
    package var mode: String
    /// The folder holding mlflow-git's versioning hooks.
    package var hooksDirectory: String
    /// Why they no longer run, or `nil` when they do.
    package var problem: String?
    /// The `mlflow-git` executable the hooks call (read when asked for: see
    /// ``status(commonDirectory:readingExecutablePath:)``).
    package var executablePath: String?
  }

  /// The state of the hooks, or `nil` when mlflow-git is not installed in the repository.
  ///
  /// - Parameter readingExecutablePath: Also read which `mlflow-git` the hooks call (`doctor`
  ///   shows it), which reads the whole hook.
  package static func status(commonDirectory common: String, readingExecutablePath: Bool = false) -> Status? {
    guard let manifest = InstallManifest.firstValues(commonDirectory: common) else { return nil }
    let mode = manifest["mode"] ?? "in-place"
    let hooks = manifest["hooks"] ?? common + "/hooks"
    let postCommit = hooks + "/post-commit"
    var status = Status(mode: mode, hooksDirectory: hooks, problem: nil, executablePath: nil)
    var ours = PrivateFiles.head(postCommit)
    switch mode {
    case "in-place":
      let found = ours
      if PreCommit.isItsHook(found) { ours = PrivateFiles.head(postCommit + PreCommit.legacySuffix) }
      if !HookProgram.isVersioningHook(ours ?? []) {
        ours = nil
        status.problem =
          if HookProgram.isVersioningHook(PrivateFiles.head(postCommit + ".old") ?? []) {
            "lefthook moved mlflow-git's post-commit hook to post-commit.old, and lefthook does not run it"
          } else if Lefthook.isItsHook(found) {
            "lefthook's post-commit hook replaced mlflow-git's"
          } else if PreCommit.isItsHook(found) {
            "pre-commit's post-commit hook replaced mlflow-git's (`pre-commit install -f`)"
          } else if found == nil {
            "\(postCommit) was removed"
          } else {
            "another post-commit hook replaced mlflow-git's in \(hooks)"
          }
      } else if hooks == common + "/hooks", setsHooksPath(PrivateFiles.head(common + "/config", limit: 1 << 16)) {
        status.problem = "core.hooksPath now makes git run hooks from another folder than \(hooks)"
      }
    case "forwarding":
      if !(PrivateFiles.head(common + "/config", limit: 1 << 16) ?? []).containsBytes(forwardingInclude) {
        status.problem = "the [include] of \(HookSetup.forwardingConfigName) was removed from .git/config"
      }
    default:
      let runs = manifest["runs"] ?? common + "/hooks/post-commit"
      let runner = PrivateFiles.head(runs)
      if let shared = manifest["shared-file"], !AddedBlock.isPresent(in: PrivateFiles.head(shared, limit: 1 << 16)) {
        status.problem = "mlflow-git's commands were removed from \(shared)"
      } else if mode == "lefthook", !Lefthook.isItsHook(runner) {
        status.problem = "lefthook's post-commit hook is gone from \(common)/hooks (`lefthook uninstall`?)"
      } else if mode == "pre-commit-shared", !PreCommit.isItsHook(runner) {
        status.problem = "pre-commit's post-commit hook is not installed (`pre-commit install -t post-commit`)"
      } else if runner == nil {
        status.problem = "\(runs), which runs mlflow-git's hook, is gone"
      }
    }
    if status.problem == nil, !HookProgram.isVersioningHook(ours ?? []) {
      status.problem = "\(postCommit) was removed"
    }
    if readingExecutablePath, ours != nil {
      let path = status.mode == "in-place" && PreCommit.isItsHook(PrivateFiles.head(postCommit))
        ? postCommit + PreCommit.legacySuffix : postCommit
      let text = String(decoding: PrivateFiles.contents(path) ?? [], as: UTF8.self)
      status.executablePath = HookProgram.generatedValues(in: text)["mlflow_git"]
    }
    return status
  }

  /// One line saying that the versioning hooks are gone and how to restore them, or `nil` when
  /// they run (or mlflow-git is not installed in the repository).
  package static func notice(commonDirectory: String) -> String? {
    guard let problem = status(commonDirectory: commonDirectory)?.problem else { return nil }
    return "the versioning hooks are gone (\(problem)), so new commits are not registered as versions; "
      + "run `mlflow-git install` to restore them"
  }

  static let forwardingInclude = Array(HookSetup.forwardingConfigName.utf8)

  /// Whether a config file's text sets `core.hooksPath` (a line `hooksPath = …`, any case).
  static func setsHooksPath(_ bytes: [UInt8]?) -> Bool {
    guard let bytes else { return false }
    let key = Array("hookspath".utf8)
    var lineStart = true
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\n") {
        lineStart = true
      } else if lineStart, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") {
        lineStart = false
        if index + key.count <= bytes.count,
          zip(bytes[index..<(index + key.count)], key).allSatisfy({ $0 | 0x20 == $1 })
        {
          return true
        }
      }
      index += 1
    }
    return false
  }
}
