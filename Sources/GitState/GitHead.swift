/// Where `HEAD` points: a branch with commits, a branch with none yet, or a bare commit.
///
/// # Usage
/// ```swift
/// switch try repository.head() {
/// case .branch(let name, let commit): print("\(name) at \(commit)")
/// case .unborn(let name): print("\(name) has no commits yet")
/// case .detached(let commit): print("detached at \(commit)")
/// }
/// ```
public enum GitHead: Sendable, Hashable, CustomStringConvertible {
  /// `HEAD` names a branch (short name, e.g. `feature/x`) whose tip is `commit` (full hex id).
  case branch(String, commit: String)
  /// `HEAD` names a branch that has no commits yet.
  case unborn(String)
  /// `HEAD` holds a commit id directly.
  case detached(commit: String)

  /// The commit `HEAD` resolves to, or `nil` on an unborn branch.
  public var commit: String? {
    switch self {
    case .branch(_, let commit), .detached(let commit): commit
    case .unborn: nil
    }
  }

  /// The branch `HEAD` names, or `nil` when detached.
  public var branch: String? {
    switch self {
    case .branch(let name, _), .unborn(let name): name
    case .detached: nil
    }
  }

  public var description: String {
    switch self {
    case .branch(let name, let commit): "branch \(name) at \(commit)"
    case .unborn(let name): "branch \(name) (no commits yet)"
    case .detached(let commit): "detached HEAD at \(commit)"
    }
  }
}
