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
      Installs the post-commit, post-checkout, post-merge and post-rewrite hooks next to the hook
      manager the repository uses, so the team's hooks keep running as before; then registers the
      current branch's commit. Without a manager the hooks go into .git/hooks (a hook already there
      is kept and runs first); with pre-commit, where its hook stands, mlflow-git's is its .legacy
      hook, which pre-commit runs first; with lefthook, a command per event in lefthook-local.yml
      (kept out of Git in .git/info/exclude); with husky 4, 8 or 9 or a core.hooksPath folder
      (committed or global), a forwarding folder in .git/mlflow-git/hooks runs the team's hooks by
      their own names, then mlflow-git's; the team's folder is never written. No tracked file
      changes. Adds mlflow.db and mlruns/ to .git/info/exclude. Running it twice changes nothing.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [
      .argument(\.repository, valueName: "repository", help: "The repository; without it, the current one."),
      .flag(
        "--shared", \.shared,
        help: """
          The team-wide setup: write the manager's own configuration (a lefthook command in
          lefthook.yml, a `repo: local` hook in .pre-commit-config.yaml, a line in husky's
          .husky/<hook> or the committed hooks folder's), which the team commits; each clone still
          runs `mlflow-git install`.
          """),
      .flag(
        "--global-hooks", \.globalHooks,
        help: """
          With core.hooksPath set in your global Git configuration, write into that folder (every
          repository of yours runs the hooks; they journal only where mlflow-git is installed)
          instead of forwarding to it from this repository.
          """),
      .option(
        "--mlflow-executable", \.mlflowExecutable, valueName: "path",
        help: """
          The `mlflow` command that creates a missing mlflow.db, recorded as git config
          mlflow-git.mlflowExecutable (uninstall removes it).
          """),
    ]
  }

  var repository: String?
  var shared = false
  var globalHooks = false
  var mlflowExecutable: String?

  func run() async -> ExitCode {
    do {
      let repository = try GitRepository.discover(from: self.repository)
      let options = HookInstallation.Options(
        shared: shared, globalHooksFolder: globalHooks, mlflowExecutable: mlflowExecutable)
      let report = try HookInstallation.install(in: repository, executablePath: Self.executablePath(), options: options)
      if report.unchanged {
        print("mlflow-git hooks already installed in \(report.hooksDirectory) (\(report.manager))")
      } else {
        print("installed hooks \(Self.unique(report.hooks).joined(separator: ", ")) in \(report.hooksDirectory) (\(report.manager))")
        for event in Self.unique(report.chained) { print("  kept your \(event) hook; it runs first") }
        if report.excludeChanged { print("  added mlflow.db and mlruns/ to .git/info/exclude") }
      }
      for note in report.notes { print("  " + note) }
      if !report.filesToCommit.isEmpty {
        print("  commit \(report.filesToCommit.joined(separator: ", ")) to share this setup with your team")
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

  /// `items` without repetitions, in their first order.
  static func unique(_ items: [String]) -> [String] {
    var seen = Set<String>()
    return items.filter { seen.insert($0).inserted }
  }

  /// This executable's absolute path, which the hooks call.
  static func executablePath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if count > 0 { return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    return CommandLine.arguments[0]
  }
}
