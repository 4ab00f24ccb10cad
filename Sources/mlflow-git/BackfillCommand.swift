import GitState
import GitVersioning

/// `mlflow-git backfill [REV-RANGE]`: register past commits.
enum BackfillCommand {
  static let help = """
    usage: mlflow-git backfill [REV-RANGE] [--branch NAME] [--limit N] [--json]

    Registers past commits as versions of a branch, with a progress bar: the first-parent
    commits of REV-RANGE (default: the current branch), newest N (default 500), as versions of
    --branch (default: the current branch). Already registered commits cost nothing.
    """

  static func run(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(
      arguments, command: "backfill", help: help, flags: ["--json"], options: ["--branch", "--limit"])
    guard let parsed else { return code }
    guard parsed.positionals.count <= 1, let limit = Int(parsed.options["--limit"] ?? "500"), limit > 0 else {
      printError("backfill: give at most one revision range and a positive --limit\n\n\(help)")
      return 2
    }
    do {
      let repository = try GitRepository.discover()
      let head = try repository.head()
      guard let branch = parsed.options["--branch"] ?? head.branch else {
        printError("backfill: HEAD is detached; name the branch with --branch")
        return 2
      }
      let commits = try repository.commits(in: parsed.positionals.first ?? "HEAD", limit: limit)
      try JournalDelivery.journal(commits: commits, branch: branch, in: repository)
      writeStandardError("backfilling \(commits.count) commits of \(branch)\n")
    } catch {
      printError("\(error)")
      return 1
    }
    return await SyncCommand.run(parsed.json ? ["--json"] : [])
  }
}
