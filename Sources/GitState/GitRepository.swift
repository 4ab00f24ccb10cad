import ChildProcess

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Git work tree and the directories Git keeps its state in.
///
/// Found from any directory inside the work tree, the way `git` itself finds it: a `.git`
/// directory, a `.git` file pointing elsewhere (linked worktrees, submodules), or `GIT_DIR` /
/// `GIT_WORK_TREE` set by the caller. Finding it reads a few files and spawns nothing unless
/// `GIT_DIR` is set.
///
/// # Usage
/// ```swift
/// let repository = try GitRepository.discover(from: appDirectory + "/Sources")
/// print(repository.workTree)          // "/src/app"
/// print(try repository.head())        // branch "main" at 93be08f5…
/// ```
public struct GitRepository: Sendable, Hashable {
  /// The top directory of the work tree.
  public let workTree: String
  /// The Git directory of this work tree: `HEAD` and the index live here. For a linked worktree
  /// it is `<common>/worktrees/<name>`; for a submodule, `<super>/.git/modules/<name>`.
  public let gitDirectory: String
  /// The Git directory shared by all worktrees of the repository: refs, config, hooks, objects.
  public let commonDirectory: String
  /// The caller's environment, or `nil` for this process's (read only when needed: building
  /// the whole dictionary costs more than reading HEAD). Child `git` processes start from it,
  /// minus repository-local variables.
  let environment: [String: String]?
  /// The folder, in the Git directory of each worktree, where the in-process checks keep their
  /// records (``GitSnapshot/Options/recordsFolder``); `nil` (the default): they keep none, so a
  /// dirty check with nothing else to prove the tree clean runs `git status`, and a dirty
  /// tree's diff is always computed.
  public var recordsFolder: String?

  /// Creates a repository value from known locations, without checking them.
  ///
  /// - Parameter environment: What child `git` processes start from; `nil` means this process's.
  package init(workTree: String, gitDirectory: String, commonDirectory: String, environment: [String: String]? = nil) {
    self.workTree = workTree
    self.gitDirectory = gitDirectory
    self.commonDirectory = commonDirectory
    self.environment = environment
  }

  /// Finds the repository whose work tree contains `directory`.
  ///
  /// - Parameters:
  ///   - directory: Where to start looking; `nil` means the current directory.
  ///   - environment: The caller's environment; `nil` means this process's. `GIT_DIR` and
  ///     `GIT_WORK_TREE` in it are honoured as `git` honours them; child `git` processes start
  ///     from it, minus repository-local variables.
  /// - Throws: ``GitStateError`` with code `.notARepository`, `.bareRepository`,
  ///   `.unreadableRepository`, or (only when `GIT_DIR` is set) `.gitNotFound` / `.gitFailed`.
  public static func discover(
    from directory: String? = nil,
    environment: [String: String]? = nil
  ) throws(GitStateError) -> GitRepository {
    let start = directory.map { FileSystem.absolute($0, relativeTo: FileSystem.currentDirectory()) }
      ?? FileSystem.currentDirectory()
    if let gitDir = Environment.value("GIT_DIR", in: environment), !gitDir.isEmpty {
      return try discoverWithGit(from: start, environment: environment ?? ProcessInfo.processInfo.environment)
    }
    // The common case, starting at the top of the work tree, needs no `realpath`; walking up
    // must follow the physical parents, as git does.
    if let found = try repository(at: start, environment: environment) { return found }
    guard var candidate = FileSystem.realPath(start) else { throw GitStateError.notARepository(start) }
    while true {
      if let found = try repository(at: candidate, environment: environment) { return found }
      if commonDirectory(ofGitDirectory: candidate) != nil {
        // A Git directory with no work tree above it: a bare repository, or the inside of `.git`.
        throw GitStateError.bareRepository(candidate)
      }
      if candidate == "/" { throw GitStateError.notARepository(start) }
      candidate = FileSystem.parent(of: candidate)
    }
  }

  /// The repository whose work tree's top is `directory`, or `nil` when it has no `.git`.
  static func repository(at directory: String, environment: [String: String]?) throws(GitStateError) -> GitRepository? {
    let dotGit = directory == "/" ? "/.git" : directory + "/.git"
    switch FileSystem.kind(of: dotGit) {
    case .directory:
      guard let common = commonDirectory(ofGitDirectory: dotGit, validating: false) else { return nil }
      return GitRepository(workTree: directory, gitDirectory: dotGit, commonDirectory: common, environment: environment)
    case .file:
      let gitDir = try gitDirectory(fromGitFile: dotGit, in: directory)
      guard let common = commonDirectory(ofGitDirectory: gitDir) else {
        throw GitStateError.unreadable(dotGit, "it points to '\(gitDir)', which is not a Git directory")
      }
      return GitRepository(workTree: directory, gitDirectory: gitDir, commonDirectory: common, environment: environment)
    default:
      return nil
    }
  }

  /// The common directory of `gitDirectory` when it is a Git directory (it has `HEAD`, and its
  /// common directory has `objects/` and `refs/`), else `nil`.
  ///
  /// - Parameter validating: Check `objects/` and `refs/` too. A folder named `.git` with a
  ///   `HEAD` is taken on trust (two `stat` calls saved on every start); a folder that might
  ///   be any directory (a bare repository candidate, a `.git` file's target) is checked.
  static func commonDirectory(ofGitDirectory gitDirectory: String, validating: Bool = true) -> String? {
    guard FileSystem.kind(of: gitDirectory + "/HEAD") == .file else { return nil }
    var common = gitDirectory
    if let pointer = FileSystem.trimmedText(of: gitDirectory + "/commondir"), !pointer.isEmpty {
      common = FileSystem.absolute(pointer, relativeTo: gitDirectory)
    }
    if validating || common != gitDirectory {
      guard FileSystem.isDirectory(common + "/objects"), FileSystem.isDirectory(common + "/refs") else { return nil }
    }
    return common
  }

  /// Reads a `.git` file (`gitdir: <path>`) as git does: relative paths are against its folder.
  static func gitDirectory(fromGitFile path: String, in directory: String) throws(GitStateError) -> String {
    guard let text = FileSystem.trimmedText(of: path) else { throw GitStateError.unreadable(path, "it cannot be read") }
    let prefix = "gitdir:"
    guard text.hasPrefix(prefix) else {
      throw GitStateError.unreadable(path, "a .git file must start with 'gitdir:'")
    }
    let target = String(text.dropFirst(prefix.count)).trimmingWhitespace()
    return FileSystem.absolute(target, relativeTo: directory)
  }

  /// With `GIT_DIR` set, git's own rules (core.worktree, core.bare, GIT_WORK_TREE, the current
  /// directory) decide where the work tree is, so ask git once instead of re-implementing them.
  static func discoverWithGit(from start: String, environment: [String: String]) throws(GitStateError) -> GitRepository {
    var callerEnvironment = GitCommand.isolated(environment)
    callerEnvironment["GIT_DIR"] = environment["GIT_DIR"]
    callerEnvironment["GIT_WORK_TREE"] = environment["GIT_WORK_TREE"]
    let arguments = [
      "-C", start, "rev-parse", "--path-format=absolute", "--absolute-git-dir", "--git-common-dir",
      "--is-bare-repository", "--show-toplevel",
    ]
    let output: ChildProcess.Output
    do {
      output = try ChildProcess.run("git", arguments: arguments, environment: callerEnvironment)
    } catch {
      throw GitStateError.spawnFailed(error)
    }
    let lines = String(decoding: output.standardOutput, as: UTF8.self).split(separator: "\n").map(String.init)
    if lines.count >= 3, lines[2] == "true" { throw GitStateError.bareRepository(lines[0]) }
    guard output.succeeded, lines.count >= 4 else {
      if lines.count == 3 { throw GitStateError.bareRepository(lines[0]) }
      throw GitStateError(
        code: .notARepository,
        message: "GIT_DIR='\(environment["GIT_DIR"] ?? "")' does not name a usable repository: \(output.standardErrorText)")
    }
    return GitRepository(workTree: lines[3], gitDirectory: lines[0], commonDirectory: lines[1], environment: environment)
  }

  /// The runner for `git` commands about this repository.
  var git: GitCommand {
    GitCommand(gitDirectory: gitDirectory, workTree: workTree, environment: environment ?? ProcessInfo.processInfo.environment)
  }

  /// Whether a merge, rebase, cherry-pick, revert or bisect is in progress in this work tree.
  ///
  /// In the middle of one of these, `HEAD` and the index hold an intermediate state.
  package var operationInProgress: String? {
    let markers = [
      ("rebase-merge", "rebase"), ("rebase-apply", "rebase"), ("MERGE_HEAD", "merge"),
      ("CHERRY_PICK_HEAD", "cherry-pick"), ("REVERT_HEAD", "revert"), ("BISECT_LOG", "bisect"),
    ]
    return markers.first { FileSystem.exists(gitDirectory + "/" + $0.0) }?.1
  }
}
