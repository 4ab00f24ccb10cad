package import GitState
import LocalFiles

/// Installs and removes mlflow-git's hooks in a repository, next to the hook manager it has,
/// keeping what the team had.
///
/// What install does depends on how the repository runs its hooks (``HookSetup``):
/// - **No manager** (`.git/hooks`): mlflow-git's hook goes there; a hook that was there is
///   kept as `<event>.mlflow-git-previous` and runs first (same arguments, same input, its exit
///   status is the hook's).
/// - **pre-commit**: where pre-commit's hook stands, mlflow-git's goes to `<event>.legacy`,
///   which pre-commit runs first; elsewhere as above (a later `pre-commit install` moves it to
///   `.legacy` and keeps running it).
/// - **lefthook**: a command per event in `lefthook-local.yml` (excluded in `info/exclude`),
///   then `lefthook install`, so lefthook's re-syncs keep it.
/// - **husky 4, 8, 9, a plain or global `core.hooksPath`**: a forwarding hooks folder in the Git
///   directory (`.git/mlflow-git/hooks`, made git's hooks folder through an `[include]` in
///   `.git/config`, which survives husky setting `core.hooksPath` again): mlflow-git's hooks,
///   then the team's hooks run by their own paths. The team's folder is never written.
/// - **`shared`**: the manager's own configuration, which the team commits: a lefthook command
///   in `lefthook.yml`, a `repo: local` hook in `.pre-commit-config.yaml`, a line in husky's
///   `.husky/<event>` (or the committed hooks folder's). Each clone still runs `mlflow-git
///   install`, which then finds that setup and uses it.
/// - **`globalHooksFolder`**: into a global `core.hooksPath` folder, chaining as in `.git/hooks`;
///   the hooks journal only in repositories where mlflow-git is installed.
///
/// `mlflow.db`, its lock file and `mlruns/` are added to `<common dir>/info/exclude` (never to
/// the user's committed `.gitignore`). Installing twice changes nothing; uninstalling removes
/// every mlflow-git hook (`.legacy` and `.old` copies included) and restores every byte changed.
///
/// # Usage
/// ```swift
/// let repository = try GitRepository.discover(from: appDirectory)
/// let report = try HookInstallation.install(in: repository, executablePath: "/usr/local/bin/mlflow-git")
/// report.notes.forEach { print($0) }
/// ```
package enum HookInstallation {
  /// What an install or uninstall did.
  package struct Report: Sendable, Hashable {
    /// The folder git runs the repository's hooks from now.
    package var hooksDirectory: String
    /// The hook manager found.
    package var manager: HookSetup.Manager
    /// The events whose mlflow-git hooks were written or removed.
    package var hooks: [String] = []
    /// The events whose hooks of the user's are kept and chained (install) or put back (uninstall).
    package var chained: [String] = []
    /// How mlflow-git runs next to the manager, and what it did instead of writing somewhere.
    package var notes: [String] = []
    /// Files of the work tree written for the team (`shared`): to be committed.
    package var filesToCommit: [String] = []
    /// Whether `info/exclude` changed.
    package var excludeChanged = false
    /// Whether the `mlflow-git.mlflowExecutable` setting changed.
    package var configChanged = false
    /// Whether anything else changed (a manager's configuration, the forwarding).
    package var otherChanges = false

    /// `true` when nothing had to change.
    package var unchanged: Bool {
      hooks.isEmpty && chained.isEmpty && !excludeChanged && !configChanged && !otherChanges && filesToCommit.isEmpty
    }
  }

  /// How to install.
  package struct Options: Sendable, Hashable {
    /// Write the manager's shared configuration (tracked files the team commits).
    package var shared: Bool
    /// Write into the global `core.hooksPath` folder instead of forwarding to it.
    package var globalHooksFolder: Bool
    /// Recorded as `git config mlflow-git.mlflowExecutable` (removed again by uninstall), for
    /// hooks that run where `mlflow` is not on `PATH`.
    package var mlflowExecutable: String?

    package init(shared: Bool = false, globalHooksFolder: Bool = false, mlflowExecutable: String? = nil) {
      self.shared = shared
      self.globalHooksFolder = globalHooksFolder
      self.mlflowExecutable = mlflowExecutable
    }
  }

  /// The lines mlflow-git adds to `info/exclude`, as one block: the store, SQLite's files beside
  /// it while a write is under way (a `git add -A` then must not take them), and its lock.
  static let excludeBlockText = """
    # mlflow-git: the local MLflow store (added by `mlflow-git install`)
    mlflow.db
    mlflow.db-journal
    mlflow.db-wal
    mlflow.db-shm
    mlflow.db.lock
    mlruns/
    # end mlflow-git

    """

  /// The repository setting naming the `mlflow` command that creates a missing `mlflow.db`.
  package static let mlflowExecutableKey = "mlflow-git.mlflowExecutable"

  /// Installs the hooks, calling the `mlflow-git` executable at `executablePath`.
  package static func install(
    in repository: GitRepository, executablePath: String, options: Options = Options()
  ) throws(HookInstallError) -> Report {
    let setup = try HookSetup.detect(in: repository)
    var installer = Installer(repository: repository, setup: setup, executablePath: executablePath)
    try installer.install(options)
    return installer.report
  }

  /// Removes mlflow-git's hooks and everything install added, putting back what was there.
  ///
  /// - Parameter globalHooksFolder: Also remove mlflow-git's hooks from a global
  ///   `core.hooksPath` folder (which other repositories may be using).
  package static func uninstall(from repository: GitRepository, globalHooksFolder: Bool = false)
    throws(HookInstallError) -> Report
  {
    let setup = try HookSetup.detect(in: repository)
    var installer = Installer(repository: repository, setup: setup, executablePath: "")
    try installer.uninstall(globalHooksFolder: globalHooksFolder)
    return installer.report
  }

  /// Where install made git run hooks through mlflow-git's forwarding folder, adds a forwarding
  /// hook for each hook the team's folder gained since (a `git pull` bringing `.githooks/pre-push`).
  /// Reads two folders and spawns nothing; the background worker runs it after every hook.
  /// Returns the hooks added.
  @discardableResult
  package static func refreshForwarding(in repository: GitRepository) throws(HookInstallError) -> [String] {
    let manifest = InstallManifest(commonDirectory: repository.commonDirectory)
    guard manifest.value("mode") == "forwarding", let ownHooks = manifest.value("hooks"),
      let program = PrivateFiles.contents(ownHooks + "/" + HookProgram.events[0]),
      let target = HookProgram.generatedValues(in: String(decoding: program, as: UTF8.self))["chained_folder"],
      !target.isEmpty
    else { return [] }
    let folder = target.hasPrefix("/") ? target : repository.workTree + "/" + target
    let forwarder = Array(HookProgram.forwarding(to: target).utf8)
    var added: [String] = []
    for name in HookSetup.forwardedHooks(in: folder).sorted() where PrivateFiles.contents(ownHooks + "/" + name) != forwarder {
      try perform("write", ownHooks + "/" + name) { () throws(LocalFileError) in
        try PrivateFiles.replace(ownHooks + "/" + name, with: forwarder, mode: 0o755)
      }
      added.append(name)
    }
    return added
  }

  static func perform<T>(_ what: String, _ path: String, _ body: () throws(LocalFileError) -> T)
    throws(HookInstallError) -> T
  {
    do {
      return try body()
    } catch {
      throw HookInstallError("could not \(what) '\(path)': \(error)")
    }
  }
}

/// An installation step failed; the message says which and what to do.
package struct HookInstallError: Error, Sendable, CustomStringConvertible {
  package let description: String
  package init(_ description: String) { self.description = description }
}
