import ChildProcess

/// Runs `git` about one repository, isolated from whatever the caller's environment says about
/// other repositories.
///
/// Hooks export `GIT_DIR`, `GIT_INDEX_FILE`, `GIT_PREFIX` and friends; inherited by a child
/// `git`, they silently redirect it to another repository or index. Every command here therefore
/// runs with those variables removed, names its repository explicitly (`-C`, `--git-dir`,
/// `--work-tree`), takes no optional locks (a read never blocks a concurrent `git commit`), and
/// can never wait on a pager, an editor or a credential prompt.
struct GitCommand: Sendable {
  /// The variables `git rev-parse --local-env-vars` lists (git 2.39), plus the ones that make a
  /// child wait for a person.
  static let repositoryLocalVariables: Set<String> = [
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
    "GIT_OBJECT_DIRECTORY", "GIT_DIR", "GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE",
    "GIT_INDEX_FILE", "GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX",
    "GIT_SHALLOW_FILE", "GIT_COMMON_DIR", "GIT_INTERNAL_SUPER_PREFIX", "GIT_QUARANTINE_PATH",
  ]

  /// The environment every child `git` gets.
  let environment: [String: String]
  /// Options placed before the subcommand (repository location, `--no-optional-locks`).
  let globalArguments: [String]

  /// A command runner for the repository at `gitDirectory` with work tree `workTree`.
  init(gitDirectory: String, workTree: String?, environment: [String: String]) {
    self.environment = GitCommand.isolated(environment)
    var arguments = ["--no-pager", "--no-optional-locks", "--git-dir=\(gitDirectory)"]
    if let workTree { arguments = ["-C", workTree] + arguments + ["--work-tree=\(workTree)"] }
    self.globalArguments = arguments
  }

  /// `environment` without repository-local Git variables, and with prompts and pagers off.
  static func isolated(_ environment: [String: String]) -> [String: String] {
    var clean = environment.filter { !repositoryLocalVariables.contains($0.key) }
    clean["GIT_TERMINAL_PROMPT"] = "0"
    clean["GIT_PAGER"] = "cat"
    clean["PAGER"] = "cat"
    clean["GIT_EDITOR"] = ":"
    clean["GIT_ASKPASS"] = "true"
    clean["SSH_ASKPASS"] = "true"
    clean["GIT_OPTIONAL_LOCKS"] = "0"
    return clean
  }

  /// Runs `git <global options> <arguments>` and returns its output, whatever its exit status.
  func output(_ arguments: [String]) throws(GitStateError) -> ChildProcess.Output {
    do {
      return try ChildProcess.run("git", arguments: globalArguments + arguments, environment: environment)
    } catch {
      throw GitStateError.spawnFailed(error)
    }
  }

  /// Runs `git <arguments>` and returns its standard output; a non-zero exit status throws.
  func run(_ arguments: [String]) throws(GitStateError) -> [UInt8] {
    let result = try output(arguments)
    guard result.succeeded else { throw GitStateError.gitFailed(arguments, result) }
    return result.standardOutput
  }
}
