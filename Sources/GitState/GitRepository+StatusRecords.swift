#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GitRepository {
  /// Removes the records the in-process checks keep (`<recordsFolder>/index-matches-head` and
  /// `<recordsFolder>/recorded-diff` in the Git directory of the main worktree and of every
  /// linked worktree, see ``recordsFolder``), and each linked worktree's records folder when
  /// that leaves it empty. The next dirty check runs `git status` once and records again.
  /// Does nothing when ``recordsFolder`` is `nil`.
  ///
  /// # Usage
  /// ```swift
  /// var repository = try GitRepository.discover(from: appDirectory)
  /// repository.recordsFolder = "records"
  /// repository.removeStatusRecords()
  /// ```
  package func removeStatusRecords() {
    guard let recordsFolder else { return }
    unlink(IndexHeadRecord.path(in: commonDirectory + "/" + recordsFolder))
    unlink(RecordedDiff.path(in: commonDirectory + "/" + recordsFolder))
    guard let worktrees = opendir(commonDirectory + "/worktrees") else { return }
    defer { closedir(worktrees) }
    while let entry = readdir(worktrees) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      guard name != ".", name != ".." else { continue }
      let gitDirectory = commonDirectory + "/worktrees/" + name
      unlink(IndexHeadRecord.path(in: gitDirectory + "/" + recordsFolder))
      unlink(RecordedDiff.path(in: gitDirectory + "/" + recordsFolder))
      rmdir(gitDirectory + "/" + recordsFolder)
    }
  }
}
