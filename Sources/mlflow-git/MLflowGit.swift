import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// `mlflow-git`: Git-based versioning for MLflow from the command line.
@main
struct MLflowGit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mlflow-git",
    abstract: "Git-based versioning for GenAI apps in MLflow.",
    discussion: """
      The store is MLflow's: MLFLOW_TRACKING_URI, else `git config mlflow.trackingUri`, else
      sqlite:///mlflow.db at the top of the work tree. The experiment: MLFLOW_EXPERIMENT_NAME,
      else MLFLOW_EXPERIMENT_ID, else the default experiment 0.

      Exit status: 0 success; 1 the command failed (the message says why and what to do); 2 wrong
      usage. exec exits with its program's status.
      """,
    version: SourceVersion.description,
    subcommands: [
      StatusCommand.self, VersionsCommand.self, ShowCommand.self, DiffCommand.self, TracesCommand.self,
      SyncCommand.self, BackfillCommand.self, ExecCommand.self, InstallCommand.self, UninstallCommand.self,
      DoctorCommand.self,
    ])

  /// Parses the command line; prints help, the version or a usage error itself, hands commands
  /// that may need HTTP to the companion when this is the static executable, and runs the rest.
  static func main() {
    let parsed: (command: any ParsableCommand, path: String)
    do {
      parsed = try parseAsRoot(Array(CommandLine.arguments.dropFirst()))
    } catch {
      exit(error.report().rawValue)
    }
    let command = parsed.command
    if Companion.isNeeded(for: type(of: command).configuration.commandName) { exit(Companion.replaceProcess()) }
    exit(runToCompletion { await command.runReportingErrors(commandPath: parsed.path).rawValue })
  }

  /// Runs an async command on the cooperative pool while this thread waits, and returns its
  /// exit code. An `async` main would end in `dispatch_main`, whose `pthread_exit` unwinds the
  /// main thread: cheap with a dynamic libc, but in a static executable the first unwind sorts
  /// every frame description of the binary, which costs milliseconds.
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
