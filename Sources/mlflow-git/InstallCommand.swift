import GitHooks
import GitState
import GitVersioning

#if canImport(Glibc)
import Glibc
#endif

/// `mlflow-git install` / `uninstall`: the hooks of one repository.
enum InstallCommand {
  static let installHelp = """
    usage: mlflow-git install [--mlflow-executable PATH] [REPO]

    Installs the post-commit, post-checkout, post-merge and post-rewrite hooks into REPO
    (default: the current repository): into core.hooksPath when it is set (husky), else the
    shared hooks folder of all its worktrees. Hooks already there are kept and run first. Adds
    mlflow.db and mlruns/ to .git/info/exclude, then registers the current branch's commit.
    Running it twice changes nothing. --mlflow-executable records the `mlflow` command that
    creates a missing mlflow.db (git config mlflow-git.mlflowExecutable; uninstall removes it).
    """
  static let uninstallHelp = """
    usage: mlflow-git uninstall [REPO]

    Removes mlflow-git's hooks from REPO and puts back the hooks they chained and the exclude
    file as they were. The local index and journal in .git/mlflow-git are kept.
    """

  static func install(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(arguments, command: "install", help: installHelp, options: ["--mlflow-executable"])
    guard let parsed else { return code }
    do {
      let repository = try GitRepository.discover(from: parsed.positionals.first)
      let report = try HookInstallation.install(
        in: repository, executablePath: executablePath(), mlflowExecutable: parsed.options["--mlflow-executable"])
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

  static func uninstall(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(arguments, command: "uninstall", help: uninstallHelp)
    guard let parsed else { return code }
    do {
      let repository = try GitRepository.discover(from: parsed.positionals.first)
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

  /// This executable's absolute path, which the hooks call.
  static func executablePath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if count > 0 { return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    return CommandLine.arguments[0]
  }
}
