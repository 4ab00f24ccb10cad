import GitHooks
import GitState

/// `mlflow-git uninstall [<repository>]`: the hooks removed, what they replaced put back.
struct UninstallCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "uninstall",
    abstract: "Remove the hooks, restoring what was there.",
    discussion: """
      Removes mlflow-git's hooks from the repository and puts back the hooks they chained and the
      exclude file as they were. The local index and journal in .git/mlflow-git are kept.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [.argument(\.repository, valueName: "repository", help: "The repository; without it, the current one.")]
  }

  var repository: String?

  func run() async -> ExitCode {
    do {
      let repository = try GitRepository.discover(from: self.repository)
      let report = try HookInstallation.uninstall(from: repository)
      if report.unchanged {
        print("no mlflow-git hooks in \(report.hooksDirectory)")
      } else {
        print("removed hooks \(report.hooks.joined(separator: ", ")) from \(report.hooksDirectory)")
        for event in report.chained { print("  put your \(event) hook back") }
      }
      return 0
    } catch {
      printError("\(error)")
      return 1
    }
  }
}
