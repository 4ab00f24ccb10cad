import GitHooks
import GitState
import GitVersioning

#if canImport(Glibc)
import Glibc
#endif

/// `mlflow-git install [<repository>]`: the hooks of one repository.
struct InstallCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "install",
    abstract: "Install the hooks into a repository.",
    discussion: """
      Installs the post-commit, post-checkout, post-merge and post-rewrite hooks: into
      core.hooksPath when it is set (husky), else the shared hooks folder of all the repository's
      worktrees. Hooks already there are kept and run first. Adds mlflow.db and mlruns/ to
      .git/info/exclude, then registers the current branch's commit. Running it twice changes
      nothing.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [
      .argument(\.repository, valueName: "repository", help: "The repository; without it, the current one."),
      .option(
        "--mlflow-executable", \.mlflowExecutable, valueName: "path",
        help: """
          The `mlflow` command that creates a missing mlflow.db, recorded as git config
          mlflow-git.mlflowExecutable (uninstall removes it).
          """),
    ]
  }

  var repository: String?
  var mlflowExecutable: String?

  func run() async -> ExitCode {
    do {
      let repository = try GitRepository.discover(from: self.repository)
      let report = try HookInstallation.install(
        in: repository, executablePath: Self.executablePath(), mlflowExecutable: mlflowExecutable)
      if report.unchanged {
        print("mlflow-git hooks already installed in \(report.hooksDirectory)")
      } else {
        print("installed hooks \(report.hooks.joined(separator: ", ")) in \(report.hooksDirectory)")
        for event in report.chained { print("  kept your \(event) hook; it runs first") }
        if report.excludeChanged { print("  added mlflow.db and mlruns/ to .git/info/exclude") }
      }
      if let branch = try repository.head().branch, let commit = try repository.commit(ofBranch: branch) {
        try JournalDelivery.journal(commits: [commit], branch: branch, in: repository)
        let delivery = await JournalDelivery.deliver(
          from: repository, options: .init(directory: repository.workTree, sourceName: "mlflow-git install"),
          waitForRunningWorker: true)
        if let problem = delivery.problem, delivery.pending > 0 {
          print("  \(branch)@\(commit.prefix(7)) is journaled and will be registered once the store exists: \(problem)")
        } else if let problem = delivery.problem {
          print(
            "  \(branch)@\(commit.prefix(7)) has its model ID and waits undelivered; it is delivered once the "
              + "store exists (`mlflow ui` or `mlflow db upgrade` in \(repository.workTree)): \(problem)")
        } else {
          print("  registered \(branch)@\(commit.prefix(7))")
        }
      }
      print("next: commit as usual, then `mlflow-git versions` (or `mlflow ui` in \(repository.workTree))")
      return 0
    } catch {
      printError("\(error)")
      return 1
    }
  }

  /// This executable's absolute path, which the hooks call.
  static func executablePath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if count > 0 { return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    return CommandLine.arguments[0]
  }
}
