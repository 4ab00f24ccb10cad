/// mlflow-git's state folder, and the one place that names it and what is in it (as pre-commit's
/// `store.py` does for its own): `<git common dir>/mlflow-git/`, shared by a repository's
/// worktrees, or the per-user one outside any repository (`$XDG_STATE_HOME/mlflow-git`, else
/// `~/.local/state/mlflow-git`). Each user of the folder asks it for a path instead of spelling one.
///
/// # Usage
/// ```swift
/// let folder = StateFolder(commonDirectory: repository.commonDirectory)
/// let lock = try await FileLock.acquire(at: folder.registerLock, waitingAtMost: .milliseconds(50))
/// ```
package struct StateFolder: Sendable, Hashable {
  /// The folder's name in a Git common directory and in the user's state directory.
  package static let name = "mlflow-git"

  /// The folder itself.
  package let path: String

  /// The folder at `path` (a state folder found before, a test's scratch folder).
  package init(path: String) { self.path = path }

  /// The state folder of the repository whose Git common directory is `commonDirectory`.
  package init(commonDirectory: String) { path = commonDirectory + "/" + Self.name }

  /// The per-user state folder, for what happens outside any repository (traces of no version):
  /// `$XDG_STATE_HOME/mlflow-git` when that is an absolute path, else `~/.local/state/mlflow-git`.
  package static func user(environment: [String: String]) -> StateFolder {
    if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return StateFolder(path: state + "/" + name) }
    return StateFolder(path: (environment["HOME"] ?? "/tmp") + "/.local/state/" + name)
  }

  /// The hooks' journal of new Git states (append-only), and how far the worker delivered it.
  package var journal: String { path + "/journal" }
  /// The local index of registered versions, split in shards.
  package var index: String { path + "/index" }
  /// The one-file index of earlier versions, moved into ``index`` when found.
  package var legacyIndex: String { path + "/versions" }
  /// Versions kept while their store was absent (a record, diff and patch each).
  package var undelivered: String { path + "/undelivered" }
  /// Provisional model IDs and the IDs they were delivered as.
  package var modelIDs: String { path + "/model-ids" }
  /// Duplicate models a registration could not delete yet.
  package var duplicates: String { path + "/duplicates" }
  /// Store checks that found a model, by SQLite database state.
  package var storeChecks: String { path + "/store-checks" }
  /// The background worker's log (the previous one is ``workerLog`` + `.1`).
  package var workerLog: String { path + "/worker.log" }
  /// Held by the worker delivering the journal.
  package var workerLock: String { path + "/worker.lock" }
  /// Held while one version is registered, and while the index is written.
  package var registerLock: String { path + "/register.lock" }
  /// Held while undelivered versions are recorded or delivered.
  package var undeliveredLock: String { path + "/undelivered.lock" }
  /// Traces journaled while their store was unreachable.
  package var traces: String { path + "/traces" }
  /// What `mlflow-git install` did, so `uninstall` undoes exactly that.
  package var installManifest: String { path + "/install" }
  /// The forwarding hooks folder install makes next to a team's shared hooks.
  package var hooks: String { path + "/hooks" }
}
