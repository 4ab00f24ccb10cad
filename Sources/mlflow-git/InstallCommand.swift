import GitHooks
import GitState
import GitVersioning

#if canImport(Glibc)
import Glibc
#endif

/// `mlflow-git install` / `uninstall`: the hooks of one repository.
enum InstallCommand {
  static let installHelp = """
    usage: mlflow-git install [--shared] [--global-hooks] [--mlflow-executable PATH] [REPO]

    Installs the post-commit, post-checkout, post-merge and post-rewrite hooks into REPO
    (default: the current repository), next to the hook manager it uses, so the team's hooks keep
    running as before; then registers the current branch's commit. Without a manager the hooks go
    into .git/hooks (a hook already there is kept and runs first); with pre-commit, where its hook
    stands, mlflow-git's is its .legacy hook, which pre-commit runs first; with lefthook, a command
    per event in lefthook-local.yml (kept out of Git in .git/info/exclude); with husky 4, 8 or 9 or
    a core.hooksPath folder (committed or global), a forwarding folder in .git/mlflow-git/hooks runs
    the team's hooks by their own names, then mlflow-git's; the team's folder is never written. No
    tracked file changes.
    Adds mlflow.db and mlruns/ to .git/info/exclude. Running it twice changes nothing.

    --shared             the team-wide setup: writes the manager's own configuration (a lefthook
                         command in lefthook.yml, a `repo: local` hook in .pre-commit-config.yaml,
                         a line in husky's .husky/<hook> or the committed hooks folder's), which
                         the team commits; each clone still runs `mlflow-git install`
    --global-hooks       with core.hooksPath set in your global Git configuration, write into that
                         folder (every repository of yours runs the hooks; they journal only where
                         mlflow-git is installed) instead of forwarding to it from this repository
    --mlflow-executable  records the `mlflow` command that creates a missing mlflow.db
                         (git config mlflow-git.mlflowExecutable; uninstall removes it)
    """
  static let uninstallHelp = """
    usage: mlflow-git uninstall [--global-hooks] [REPO]

    Removes every mlflow-git hook from REPO (pre-commit's .legacy and lefthook's .old copies
    included) and what install added to .git/config, .git/info/exclude and the managers'
    configuration, putting back the hooks they chained, byte for byte. The local index and journal
    in .git/mlflow-git are kept. --global-hooks also removes mlflow-git's hooks from a global
    core.hooksPath folder (which your other repositories may be using).
    """

  static func install(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(
      arguments, command: "install", help: installHelp, flags: ["--shared", "--global-hooks"],
      options: ["--mlflow-executable"])
    guard let parsed else { return code }
    do {
      let repository = try GitRepository.discover(from: parsed.positionals.first)
      let options = HookInstallation.Options(
        shared: parsed.flags.contains("--shared"), globalHooksFolder: parsed.flags.contains("--global-hooks"),
        mlflowExecutable: parsed.options["--mlflow-executable"])
      let report = try HookInstallation.install(in: repository, executablePath: executablePath(), options: options)
      if report.unchanged {
        print("mlflow-git hooks already installed in \(report.hooksDirectory) (\(report.manager))")
      } else {
        print("installed hooks \(unique(report.hooks).joined(separator: ", ")) in \(report.hooksDirectory) (\(report.manager))")
        for event in unique(report.chained) { print("  kept your \(event) hook; it runs first") }
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

  static func uninstall(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(arguments, command: "uninstall", help: uninstallHelp, flags: ["--global-hooks"])
    guard let parsed else { return code }
    do {
      let repository = try GitRepository.discover(from: parsed.positionals.first)
      let report = try HookInstallation.uninstall(
        from: repository, globalHooksFolder: parsed.flags.contains("--global-hooks"))
      if report.unchanged {
        print("no mlflow-git hooks in \(report.hooksDirectory)")
      } else {
        print("removed mlflow-git's hooks \(unique(report.hooks).joined(separator: ", ")) (\(report.manager))")
        for event in unique(report.chained) { print("  put your \(event) hook back") }
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
