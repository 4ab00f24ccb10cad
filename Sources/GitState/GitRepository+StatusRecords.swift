#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GitRepository {
  /// Removes the records the in-process checks keep (`mlflow-git/index-matches-head` and
  /// `mlflow-git/recorded-diff` in the Git directory of the main worktree and of every linked
  /// worktree), and each linked
  /// worktree's `mlflow-git` folder when that leaves it empty. The next dirty check runs
  /// `git status` once and records again.
  ///
  /// # Usage
  /// ```swift
  /// try HookInstallation.uninstall(from: repository)
  /// repository.removeStatusRecords()
  /// ```
  public func removeStatusRecords() {
    unlink(IndexHeadRecord.path(gitDirectory: commonDirectory))
    unlink(RecordedDiff.path(gitDirectory: commonDirectory))
    guard let worktrees = opendir(commonDirectory + "/worktrees") else { return }
    defer { closedir(worktrees) }
    while let entry = readdir(worktrees) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      guard name != ".", name != ".." else { continue }
      let gitDirectory = commonDirectory + "/worktrees/" + name
      unlink(IndexHeadRecord.path(gitDirectory: gitDirectory))
      unlink(RecordedDiff.path(gitDirectory: gitDirectory))
      rmdir(gitDirectory + "/mlflow-git")
    }
  }
}
