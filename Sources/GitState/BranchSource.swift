import ChildProcess

/// Where a snapshot's branch name came from.
public enum BranchSource: Sendable, Hashable, CustomStringConvertible {
  /// `HEAD` names the branch.
  case head
  /// `HEAD` is detached (a CI checkout); the named environment variable gave the branch.
  case environment(variable: String)

  public var description: String {
    switch self {
    case .head: "HEAD"
    case .environment(let variable): "$\(variable)"
    }
  }
}

/// Finds the branch a CI system checked out when it left `HEAD` detached.
///
/// Checked in this order, first non-empty wins: GitHub Actions `GITHUB_HEAD_REF` (the pull
/// request's source branch), then `GITHUB_REF_NAME` unless `GITHUB_REF_TYPE` is `tag`; GitLab
/// `CI_MERGE_REQUEST_SOURCE_BRANCH_NAME`, then `CI_COMMIT_REF_NAME` unless `CI_COMMIT_TAG` is
/// set; Jenkins `CHANGE_BRANCH` (pull requests), then `BRANCH_NAME`; Buildkite `BUILDKITE_BRANCH`.
package enum CIBranch {
  /// The variables consulted, in order.
  package static let variables = [
    "GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_REF_NAME",
    "CHANGE_BRANCH", "BRANCH_NAME", "BUILDKITE_BRANCH",
  ]

  /// The branch and the variable it came from, or `nil` when no CI variable names one.
  package static func find(in environment: [String: String]) -> (branch: String, variable: String)? {
    find { environment[$0] }
  }

  /// The branch and the variable it came from, reading variables through `lookup`.
  static func find(lookup: (String) -> String?) -> (branch: String, variable: String)? {
    for variable in variables {
      guard let value = lookup(variable)?.trimmingWhitespace(), !value.isEmpty else { continue }
      if variable == "GITHUB_REF_NAME", lookup("GITHUB_REF_TYPE") == "tag" { continue }
      if variable == "CI_COMMIT_REF_NAME", !(lookup("CI_COMMIT_TAG") ?? "").isEmpty { continue }
      return (value, variable)
    }
    return nil
  }
}
