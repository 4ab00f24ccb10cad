import GitHooks
import LocalFiles
import Synchronization

/// Says once per process, in one line, that a repository's versioning hooks are gone (a hook
/// manager re-synced its hooks over them) and how to restore them: commits made meanwhile are
/// not registered until an app start or `mlflow-git status` registers the current one.
///
/// The check (``HookPresence``) reads a few small files and spawns nothing; it runs once per
/// process.
enum HooksNotice {
  private static let checked = Mutex(false)

  /// Warns when the hooks of the repository whose Git common directory is `commonDirectory`
  /// are gone; does nothing after the first call.
  static func sayOnce(commonDirectory: String) {
    let first = checked.withLock { checked in
      defer { checked = true }
      return !checked
    }
    guard first, let notice = HookPresence.notice(commonDirectory: commonDirectory) else { return }
    warn(notice)
  }
}
