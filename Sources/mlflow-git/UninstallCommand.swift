import GitHooks
import GitState

/// `mlflow-git uninstall [<repository>]`: the hooks removed, what they replaced put back.
struct UninstallCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "uninstall",
    abstract: "Remove the hooks, restoring what was there.",
    discussion: """
      Removes every mlflow-git hook from the repository (pre-commit's .legacy and lefthook's .old
      copies included) and what install added to .git/config, .git/info/exclude and the managers'
      configuration, putting back the hooks they chained, byte for byte. The local index and
      journal in .git/mlflow-git are kept.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [
      .argument(\.repository, valueName: "repository", help: "The repository; without it, the current one."),
      .flag(
        "--global-hooks", \.globalHooks,
        help: """
          Also remove mlflow-git's hooks from a global core.hooksPath folder (which your other
          repositories may be using).
          """),
    ]
  }

  var repository: String?
  var globalHooks = false

  func run() async -> ExitCode {
    do {
      let repository = try GitRepository.discover(from: self.repository)
      let report = try HookInstallation.uninstall(from: repository, globalHooksFolder: globalHooks)
      if report.unchanged {
        print("no mlflow-git hooks in \(report.hooksDirectory)")
      } else {
        print("removed mlflow-git's hooks \(InstallCommand.unique(report.hooks).joined(separator: ", ")) (\(report.manager))")
        for event in InstallCommand.unique(report.chained) { print("  put your \(event) hook back") }
      }
      for note in report.notes { print("  " + note) }
      if !report.filesToCommit.isEmpty {
        print("  removed mlflow-git's lines from \(report.filesToCommit.joined(separator: ", ")); commit them for your team")
      }
      return 0
    } catch {
      printError("\(error)")
      return 1
    }
  }
}
