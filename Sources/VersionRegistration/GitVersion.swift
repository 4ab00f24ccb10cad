public import GitState

/// One version of an app: the Git state a LoggedModel stands for.
///
/// Its identity is MLflow's — (branch, commit, dirty, repository URL) within an experiment —
/// plus, for a dirty tree under ``DirtyVersionPolicy/perDiff``, the SHA-256 of the diff, so two
/// different sets of uncommitted changes are two versions.
///
/// # Usage
/// ```swift
/// let version = GitVersion(snapshot: try GitSnapshot.read(from: appDirectory))
/// print(version.displayName)   // main-93be08f, or main-93be08f-dirty-3a2c1b
/// ```
public struct GitVersion: Sendable, Hashable {
  /// The branch's short name.
  public var branch: String
  /// The full hex commit id.
  public var commit: String
  /// `true` when tracked files had uncommitted changes.
  public var isDirty: Bool
  /// The remote URL with credentials removed, or `nil` when there is no such remote.
  public var repoURL: String?
  /// The exact diff (MLflow's format, what the `mlflow.source.git.diff` tag holds) when dirty.
  public var diff: [UInt8]?
  /// When a binary file changed: the same changes with its contents (`git diff --binary`),
  /// which `git apply` can restore; `nil` when ``diff`` is already exact (see ``GitDiff/patch``).
  public var patch: [UInt8]?

  /// A version from its parts, as MLflow's `mlflow.source.git.*` tags hold them.
  public init(
    branch: String, commit: String, isDirty: Bool = false, repoURL: String? = nil, diff: [UInt8]? = nil,
    patch: [UInt8]? = nil
  ) {
    self.branch = branch
    self.commit = commit
    self.isDirty = isDirty
    self.repoURL = repoURL
    self.diff = isDirty ? (diff ?? []) : nil
    self.patch = isDirty ? patch : nil
  }

  /// The version a snapshot stands for (credentials stripped from the remote URL).
  public init(snapshot: GitSnapshot) {
    self.init(
      branch: snapshot.branch, commit: snapshot.commit, isDirty: snapshot.isDirty,
      repoURL: snapshot.remoteURL?.withoutCredentials, diff: snapshot.diff?.bytes, patch: snapshot.diff?.patch)
  }

  /// The diff that restores the version's tree from its commit with `git apply`: ``patch`` when
  /// there is one, else ``diff``; `nil` when clean. The model artifact `git.diff` holds it when
  /// the tag cannot.
  public var completeDiff: [UInt8]? { patch ?? diff }

  /// The SHA-256 of the complete diff in lowercase hex, when dirty: two edits of a binary file
  /// are two versions, though MLflow's diff reads the same for both.
  public var diffDigest: String? { completeDiff.map(SHA256.hexDigest) }

  /// A name for MLflow's version list that reads like `git log`: `<branch>-<commit7>`, plus
  /// `-dirty-<digest6>` for uncommitted changes. MLflow forbids `/ : . % " '` in names; they
  /// become `-`.
  public var displayName: String {
    var branchPart = String(branch.map { "/:.%\"'".contains($0) ? "-" : $0 })
    if branchPart.count > 200 { branchPart = String(branchPart.prefix(200)) }
    var name = branchPart + "-" + commit.prefix(7)
    if isDirty { name += "-dirty-" + (diffDigest ?? "").prefix(6) }
    return name
  }

  /// The key this version is indexed under: a digest of its identity fields.
  package func stateKey(policy: DirtyVersionPolicy) -> String {
    var identity = [branch, commit, isDirty ? "true" : "false", repoURL ?? "\u{0}none"].joined(separator: "\u{0}")
    if isDirty && policy == .perDiff { identity += "\u{0}" + (diffDigest ?? "") }
    return SHA256.hexDigest(Array(identity.utf8))
  }
}

/// How dirty work trees map to versions.
public enum DirtyVersionPolicy: String, Sendable, Hashable {
  /// Each distinct diff is its own version (mlflow-git's default): a trace's recorded diff is
  /// the code that produced it.
  case perDiff
  /// One dirty version per commit whose diff tag is overwritten by the latest diff, as Python's
  /// `enable_git_model_versioning()` does.
  case perCommit
}
