import VersionRegistration

/// How ``enableGitModelVersioning(remoteName:options:)`` finds and records versions.
public struct GitVersioningOptions: Sendable {
  /// Where to look for the repository; `nil` means the current directory.
  public var directory: String?
  /// The environment to read (`MLFLOW_TRACKING_URI`, `MLFLOW_EXPERIMENT_NAME`/`_ID`, CI branch
  /// variables, `GIT_DIR`); `nil` means this process's.
  public var environment: [String: String]?
  /// One version per distinct diff (default), or MLflow's one dirty version per commit.
  public var dirtyVersions: DirtyVersionPolicy
  /// Paths kept out of the recorded diff (git pathspecs from the work tree's top, e.g. `.env`,
  /// `secrets/**`). Added to the repository's `git config --get mlflow-git.diffExclude` value
  /// (comma-separated).
  public var diffExclusions: [String]
  /// The most bytes the `mlflow.source.git.diff` tag holds (default 65,000, under MySQL's
  /// 64 KiB `TEXT`). A longer or non-UTF-8 diff is cut in the tag; the complete diff is the
  /// model artifact `git.diff`, with its SHA-256 and size in `mlflow_git.diff.*` tags.
  public var maxDiffTagBytes: Int
  /// How an indexed model is checked against the store: in the background (default; a start
  /// makes no store request), before returning, or never.
  public var indexVerification: IndexVerification
  /// The `mlflow.source.name` tag of versions this process creates (MLflow's UI shows it as
  /// "Logged from"); `nil` means this program's name.
  public var sourceName: String?

  /// Options for ``enableGitModelVersioning(remoteName:options:)`` and
  /// ``withGitModelVersioning(remoteName:options:isolation:_:)``; every default is MLflow's behaviour
  /// for the current directory, except `dirtyVersions` (one version per distinct diff).
  ///
  /// ```swift
  /// let options = GitVersioningOptions(directory: appDirectory, diffExclusions: [".env", "secrets/**"])
  /// let answer = try await withGitModelVersioning(options: options) { _ in try await agent.answer(question) }
  /// ```
  public init(
    directory: String? = nil,
    environment: [String: String]? = nil,
    dirtyVersions: DirtyVersionPolicy = .perDiff,
    diffExclusions: [String] = [],
    maxDiffTagBytes: Int = 65_000,
    indexVerification: IndexVerification = .background,
    sourceName: String? = nil
  ) {
    self.directory = directory
    self.environment = environment
    self.dirtyVersions = dirtyVersions
    self.diffExclusions = diffExclusions
    self.maxDiffTagBytes = maxDiffTagBytes
    self.indexVerification = indexVerification
    self.sourceName = sourceName
  }

  /// When a model found in the local index is checked against the store.
  public enum IndexVerification: Sendable, Hashable {
    /// After returning, off the caller's path; a model found deleted is replaced and the
    /// active model updated.
    case background
    /// Before returning (one store request).
    case beforeReturning
    /// Never: trust the index.
    case never
  }
}

extension GitVersioningOptions {
  /// What the registration half needs of these options.
  package var settings: RegistrationSettings {
    RegistrationSettings(
      directory: directory, environment: environment, dirtyVersions: dirtyVersions, diffExclusions: diffExclusions,
      maxDiffTagBytes: maxDiffTagBytes, sourceName: sourceName)
  }
}
