/// A repository's version as MLflow records it: branch, commit, dirty flag, diff and remote URL.
///
/// This is what `mlflow.genai.enable_git_model_versioning()` reads through GitPython, with the
/// same values, read faster and on more layouts: a clean state usually costs file reads and one
/// `lstat` per tracked file, with no process; the diff is computed only when the tree is dirty.
///
/// # Usage
/// ```swift
/// let snapshot = try GitSnapshot.read(from: appDirectory, options: .init(remoteName: "origin", diffExclusions: [".env"]))
/// print(snapshot.branch, snapshot.commit, snapshot.isDirty)
/// print(snapshot.remoteURL?.withoutCredentials ?? "no remote")
/// ```
public struct GitSnapshot: Sendable, Hashable {
  /// How to read a snapshot.
  public struct Options: Sendable, Hashable {
    /// The remote whose URL is recorded. MLflow's default is `origin`.
    public var remoteName: String
    /// Compute the diff when the tree is dirty.
    public var includesDiff: Bool
    /// Paths kept out of the diff, as git pathspecs relative to the work tree's top.
    public var diffExclusions: [String]
    /// Take the branch from CI variables when `HEAD` is detached (see ``CIBranch``).
    public var usesCIBranchVariables: Bool
    /// The folder, in each worktree's Git directory, where the in-process checks keep their
    /// records: the proof that the index matches `HEAD` (so a clean tree needs no `git status`)
    /// and the last diff with its files' stamps (so an unchanged dirty tree needs no `git diff`).
    /// `nil` keeps the repository's ``GitRepository/recordsFolder``.
    public var recordsFolder: String?

    /// Options with MLflow's defaults: the `origin` remote, the diff when dirty with nothing excluded, the
    /// branch from CI variables on a detached `HEAD`, and no records folder.
    public init(
      remoteName: String = "origin", includesDiff: Bool = true, diffExclusions: [String] = [],
      usesCIBranchVariables: Bool = true, recordsFolder: String? = nil
    ) {
      self.remoteName = remoteName
      self.includesDiff = includesDiff
      self.diffExclusions = diffExclusions
      self.usesCIBranchVariables = usesCIBranchVariables
      self.recordsFolder = recordsFolder
    }
  }

  /// The repository the snapshot was read from.
  public var repository: GitRepository
  /// The branch's short name (`main`, `feature/x`).
  public var branch: String
  /// Where ``branch`` came from: `HEAD`, or a CI variable when `HEAD` is detached.
  public var branchSource: BranchSource
  /// The full hex id of the `HEAD` commit.
  public var commit: String
  /// Staged and unstaged tracked changes; untracked files never count.
  public var status: WorkingTreeStatus
  /// The diff, in MLflow's format, when the tree is dirty and the diff was asked for.
  public var diff: GitDiff?
  /// The URL of the chosen remote, or `nil` when there is no such remote.
  public var remoteURL: RemoteURL?

  /// `true` when tracked files changed since ``commit``.
  public var isDirty: Bool { status.isDirty }

  /// Reads the snapshot of the repository containing `directory`.
  ///
  /// - Parameters:
  ///   - directory: Any directory inside the work tree; `nil` means the current directory.
  ///   - options: Remote name, diff and CI settings.
  ///   - environment: The caller's environment (CI variables, `GIT_DIR`, `PATH`, `HOME`);
  ///     `nil` means this process's.
  /// - Throws: ``GitStateError``: not a repository, bare, no commits yet, detached without a CI
  ///   branch variable, or git missing or failing.
  public static func read(
    from directory: String? = nil,
    options: Options = Options(),
    environment: [String: String]? = nil
  ) throws(GitStateError) -> GitSnapshot {
    let repository = try GitRepository.discover(from: directory, environment: environment)
    return try repository.snapshot(options: options)
  }
}

extension GitRepository {
  /// Reads this repository's snapshot; see ``GitSnapshot/read(from:options:environment:)``.
  public func snapshot(options: GitSnapshot.Options = .init()) throws(GitStateError) -> GitSnapshot {
    var repository = self
    if let folder = options.recordsFolder { repository.recordsFolder = folder }
    return try repository.snapshotOfHead(options: options)
  }

  private func snapshotOfHead(options: GitSnapshot.Options) throws(GitStateError) -> GitSnapshot {
    let branch: String
    let source: BranchSource
    let commit: String
    switch try head() {
    case .branch(let name, let id):
      (branch, source, commit) = (name, .head, id)
    case .unborn(let name):
      throw GitStateError.noCommits(branch: name)
    case .detached(let id):
      guard options.usesCIBranchVariables, let found = CIBranch.find(lookup: { Environment.value($0, in: environment) }) else {
        throw GitStateError.detachedHead(commit: id)
      }
      (branch, source, commit) = (found.branch, .environment(variable: found.variable), id)
    }
    let status: WorkingTreeStatus
    let diff: GitDiff?
    if options.includesDiff {
      (status, diff, _) = try statusAndDiff(head: commit, excluding: options.diffExclusions)
    } else {
      (status, diff) = (try statusReport(head: commit).status, nil)
    }
    return GitSnapshot(
      repository: self, branch: branch, branchSource: source, commit: commit, status: status, diff: diff,
      remoteURL: try remoteURL(named: options.remoteName))
  }
}
