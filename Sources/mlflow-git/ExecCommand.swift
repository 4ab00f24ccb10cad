import GitVersioning

#if canImport(Glibc)
import Glibc
#endif

/// `mlflow-git exec [--] <command> ...`: run a program with the current version active.
struct ExecCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exec",
    abstract: "Run a program with the current version active.",
    discussion: """
      Resolves the current version (registering it if needed) and runs the program with
      MLFLOW_ACTIVE_MODEL_ID, MLFLOW_TRACKING_URI and MLFLOW_EXPERIMENT_ID set, so an MLflow app in
      any language (Python, TypeScript, …) links its traces to this version. The program replaces
      mlflow-git (same process, same exit status). When versioning cannot start (not a
      repository, detached without a CI branch, …), the program still runs, unversioned, after a
      warning.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [
      .option("--remote", \.remote, valueName: "name", help: "The Git remote whose URL is the version's repoURL."),
      .passthrough(
        \.command, valueName: "command",
        help: """
          The program and its arguments, found on PATH; everything from the program's name on
          (after `--`, when given) is the program's, `--help` included.
          """),
    ]
  }

  var remote = "origin"
  var command: [String] = []

  func run() async -> ExitCode {
    do {
      let resolution = try await VersionResolution.resolve(
        remoteName: remote, options: .init(sourceName: "mlflow-git exec"))
      for (name, value) in resolution.activeModel.environment { setenv(name, value, 1) }
    } catch {
      printError("warning: running unversioned: \(error)")
    }
    var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) }
    argv.append(nil)
    execvp(command[0], argv)
    printError("exec: cannot run '\(command[0])': \(String(cString: strerror(errno)))")
    return 127
  }
}
