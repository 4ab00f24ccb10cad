import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// `mlflow-git`: Git-based versioning for MLflow from the command line.
@main
struct MLflowGit {
  static let commands: [(name: String, summary: String, run: @Sendable ([String]) async -> Int32)] = [
    ("status", "the current Git state and its MLflow version (registers it if needed)", StatusCommand.run),
    ("versions", "this repository's versions, newest first", VersionsCommand.run),
    ("show", "one version's details and tags", ShowCommand.run),
    ("diff", "a dirty version's exact diff, ready for `git apply`", DiffCommand.run),
    ("traces", "the traces linked to a version", TracesCommand.run),
    ("compare", "two versions side by side: code changes and what the app did", CompareCommand.run),
    ("sync", "register the versions the hooks journaled, now", SyncCommand.run),
    ("backfill", "register past commits as versions", BackfillCommand.run),
    ("exec", "run a program with the current version active (MLFLOW_ACTIVE_MODEL_ID …)", ExecCommand.run),
    ("install", "install the hooks into a repository", InstallCommand.install),
    ("uninstall", "remove the hooks, restoring what was there", InstallCommand.uninstall),
    ("doctor", "check the installation, the store and the journal", DoctorCommand.run),
  ]

  static var usage: String {
    var text = "usage: mlflow-git <command> [options]   (mlflow-git <command> --help for details)\n\ncommands:\n"
    for command in commands {
      text += "  " + command.name + String(repeating: " ", count: max(1, 11 - command.name.count)) + command.summary + "\n"
    }
    text += """

      The store is MLflow's: MLFLOW_TRACKING_URI, else `git config mlflow.trackingUri`, else
      sqlite:///mlflow.db at the top of the work tree. The experiment: MLFLOW_EXPERIMENT_NAME,
      else MLFLOW_EXPERIMENT_ID, else the default experiment 0.

      exit codes: 0 success · 1 the command failed (the message says why and what to do) · 2 wrong usage
      """
    return text
  }

  static func main() {
    var arguments = Array(CommandLine.arguments.dropFirst())
    guard let name = arguments.first else {
      print(usage)
      exit(2)
    }
    arguments.removeFirst()
    if ["-h", "--help", "help"].contains(name) {
      print(usage)
      exit(0)
    }
    guard let command = commands.first(where: { $0.name == name }) else {
      printError("unknown command '\(name)'\n\n\(usage)")
      exit(2)
    }
    if Companion.isNeeded(for: name, arguments: arguments) { exit(Companion.replaceProcess()) }
    let commandArguments = arguments
    exit(runToCompletion { await command.run(commandArguments) })
  }

  /// Runs an async command on the cooperative pool while this thread waits, and returns its
  /// exit code. An `async` main would end in `dispatch_main`, whose `pthread_exit` unwinds the
  /// main thread: cheap with a dynamic libc, but in a static executable the first unwind sorts
  /// every frame description of the binary (about 6 ms).
  static func runToCompletion(_ command: @escaping @Sendable () async -> Int32) -> Int32 {
    final class Outcome: @unchecked Sendable {  // written before `done` is signalled, read after
      var code: Int32 = 0
    }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
      outcome.code = await command()
      done.signal()
    }
    done.wait()
    return outcome.code
  }
}

/// Writes `mlflow-git: <message>` to standard error.
func printError(_ message: String) {
  writeStandardError("mlflow-git: " + message + "\n")
}

func writeStandardError(_ text: String) {
  let bytes = Array(text.utf8)
  _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// Writes raw bytes to standard output.
func writeStandardOutput(_ bytes: [UInt8]) {
  var offset = 0
  while offset < bytes.count {
    let written = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress! + offset, bytes.count - offset) }
    if written <= 0 { return }
    offset += written
  }
}
