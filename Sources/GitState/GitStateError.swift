import ChildProcess

/// Why a repository's Git state could not be read.
///
/// Each error says what happened and what to do about it. Match on ``code`` to react to a
/// particular case:
///
/// ```swift
/// do {
///   let snapshot = try GitSnapshot.read(from: appDirectory)
///   print(snapshot.branch, snapshot.commit)
/// } catch let error where error.code == .detachedHead {
///   print("check out a branch, or set a CI branch variable:", error)
/// }
/// ```
public struct GitStateError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of failure, as an extensible set of values.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Storage: String, Hashable {
      case notARepository = "not a repository"
      case bareRepository = "bare repository"
      case noCommits = "no commits yet"
      case detachedHead = "detached HEAD"
      case gitNotFound = "git not found"
      case gitFailed = "git failed"
      case unreadableRepository = "unreadable repository"
    }
    fileprivate let storage: Storage

    /// The directory is not inside a Git work tree.
    public static let notARepository = Code(storage: .notARepository)
    /// The repository is bare: it has no work tree, so no branch state to version.
    public static let bareRepository = Code(storage: .bareRepository)
    /// The current branch has no commits yet (an unborn branch).
    public static let noCommits = Code(storage: .noCommits)
    /// `HEAD` is detached and no CI branch variable names the branch.
    public static let detachedHead = Code(storage: .detachedHead)
    /// The `git` executable is not on `PATH`.
    public static let gitNotFound = Code(storage: .gitNotFound)
    /// A `git` command exited with an error.
    public static let gitFailed = Code(storage: .gitFailed)
    /// A file in the repository's Git directory could not be read or understood.
    public static let unreadableRepository = Code(storage: .unreadableRepository)

    public var description: String { storage.rawValue }
  }

  /// The kind of failure.
  public let code: Code
  /// A sentence saying what happened and what to do.
  public let message: String

  package init(code: Code, message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }

  static func notARepository(_ path: String) -> GitStateError {
    GitStateError(
      code: .notARepository,
      message: "'\(path)' is not inside a Git work tree; run from a repository or pass its directory")
  }

  static func bareRepository(_ path: String) -> GitStateError {
    GitStateError(
      code: .bareRepository,
      message: "'\(path)' is a bare repository (no work tree); run from a clone or a linked worktree")
  }

  static func noCommits(branch: String) -> GitStateError {
    GitStateError(
      code: .noCommits,
      message: "branch '\(branch)' has no commits yet; make a first commit to get a version")
  }

  static func detachedHead(commit: String) -> GitStateError {
    GitStateError(
      code: .detachedHead,
      message: "HEAD is detached at \(commit.prefix(12)) and no CI branch variable is set; "
        + "check out a branch, or set GITHUB_HEAD_REF, CI_COMMIT_REF_NAME, BRANCH_NAME or BUILDKITE_BRANCH")
  }

  static func unreadable(_ path: String, _ reason: String) -> GitStateError {
    GitStateError(code: .unreadableRepository, message: "cannot read '\(path)': \(reason)")
  }

  static func spawnFailed(_ error: ChildProcessError) -> GitStateError {
    if error.code == .executableNotFound {
      return GitStateError(
        code: .gitNotFound, message: "git was not found on PATH; install git (for example `apt-get install git`)")
    }
    return GitStateError(code: .gitFailed, message: error.description)
  }

  static func gitFailed(_ arguments: [String], _ output: ChildProcess.Output) -> GitStateError {
    let stderr = output.standardErrorText
    let detail = stderr.isEmpty ? "exit status \(output.exitStatus)" : stderr
    return GitStateError(code: .gitFailed, message: "`git \(arguments.joined(separator: " "))` failed: \(detail)")
  }
}
