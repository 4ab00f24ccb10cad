import GitState
import GitVersioning

/// `mlflow-git backfill [<revision-range>]`: register past commits.
struct BackfillCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "backfill",
    abstract: "Register past commits as versions.",
    discussion: """
      Registers past commits as versions of a branch, with a progress bar: the first-parent
      commits of the revision range, newest first. Already registered commits cost nothing.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [
      .argument(
        \.revisionRange, valueName: "revision-range",
        help: "The commits to register, as `git rev-list` takes them; without it, HEAD's history."),
      .option(
        "--branch", \.branch, valueName: "name",
        help: "The branch the commits are versions of; without it, the current branch."),
      .option("--limit", \.limit, valueName: "n", help: "Register at most the newest this many commits."),
      .flag("--json", \.json, help: "Print the delivery as one JSON object, as `mlflow-git sync --json` does."),
    ]
  }

  var revisionRange: String?
  var branch: String?
  var limit = 500
  var json = false

  func validate() throws(ValidationError) {
    guard limit > 0 else { throw ValidationError("--limit takes a positive number, not \(limit)") }
  }

  func run() async -> ExitCode {
    do {
      let repository = try GitRepository.discover()
      let head = try repository.head()
      guard let branch = branch ?? head.branch else {
        printError("backfill: HEAD is detached; name the branch with --branch")
        return 2
      }
      let commits = try repository.commits(in: revisionRange ?? "HEAD", limit: limit)
      try JournalDelivery.journal(commits: commits, branch: branch, in: repository)
      writeStandardError("backfilling \(commits.count) commits of \(branch)\n")
    } catch {
      printError("\(error)")
      return 1
    }
    return await SyncCommand(json: json).run()
  }
}
