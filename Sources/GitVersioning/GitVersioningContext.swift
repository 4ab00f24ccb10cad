import Synchronization

/// What ``enableGitModelVersioning(remoteName:options:)`` found: the Git state and the model
/// that stands for it, like Python's `GitContext` (`info`, `active_model`).
///
/// Both are `nil` when versioning could not start (outside a repository, no commits yet,
/// detached without a CI branch, store failing other than by being absent); ``problem`` then
/// says why, and the app keeps running. An absent store still gives a model: an undelivered
/// one (see ``UndeliveredVersion``).
public struct GitVersioningContext: Sendable {
  /// The Git state: branch, commit, dirty, repoURL (credentials removed) and diff.
  public let info: GitVersion?
  /// The model traces are linked to.
  public let activeModel: ActiveModel?
  /// Why versioning is off, when it is.
  public let problem: GitVersioningError?
  /// `true` when the model came from the local index, with no store request.
  public let foundInIndex: Bool
  /// mlflow-git's state folder in the repository's Git common directory (index, journals), when
  /// versioning is on.
  package let stateDirectory: String?

  init(
    info: GitVersion?, activeModel: ActiveModel?, problem: GitVersioningError?, foundInIndex: Bool,
    stateDirectory: String? = nil
  ) {
    self.info = info
    self.activeModel = activeModel
    self.problem = problem
    self.foundInIndex = foundInIndex
    self.stateDirectory = stateDirectory
  }

  /// The variables that link a child process's MLflow traces to ``activeModel`` (empty when
  /// there is none). Pass them to a Python or TypeScript MLflow app you start.
  public var environment: [String: String] { activeModel?.environment ?? [:] }

  /// The context of the current task: the innermost ``withGitModelVersioning`` scope, else the
  /// process-wide one, else `nil`.
  public static var current: GitVersioningContext? {
    if case .set(let context) = ActiveState.scoped { return context }
    return ActiveState.global.withLock { $0 }
  }
}
