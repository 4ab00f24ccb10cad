import GitVersioning

#if canImport(Glibc)
import Glibc
#endif

/// `mlflow-git exec -- CMD…`: run a program with the current version active.
enum ExecCommand {
  static let help = """
    usage: mlflow-git exec [--remote NAME] -- COMMAND [ARGUMENTS…]

    Resolves the current version (registering it if needed) and runs COMMAND with
    MLFLOW_ACTIVE_MODEL_ID, MLFLOW_TRACKING_URI and MLFLOW_EXPERIMENT_ID set, so an MLflow app in
    any language (Python, TypeScript, …) links its traces to this version. COMMAND replaces
    mlflow-git (same process, same exit status). When versioning cannot start (not a repository,
    detached without a CI branch, …), COMMAND still runs, unversioned, after a warning.
    """

  static func run(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(arguments, command: "exec", help: help, options: ["--remote"])
    guard let parsed else { return code }
    let command = parsed.rest.isEmpty ? parsed.positionals : parsed.rest
    guard !command.isEmpty else {
      printError("exec: name the program to run after --\n\n\(help)")
      return 2
    }
    do {
      let resolution = try await VersionResolution.resolve(
        remoteName: parsed.options["--remote"] ?? "origin", options: .init(sourceName: "mlflow-git exec"))
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
