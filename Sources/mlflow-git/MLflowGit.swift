import GitVersioning

#if canImport(Glibc)
import Glibc
#endif

/// `mlflow-git`: Git-based versioning for MLflow from the command line.
@main
struct MLflowGit {
  static let usage = """
    usage: mlflow-git <command> [options]

    commands:
      status [--json]      the current Git state and its MLflow version (registering it if needed)

    exit codes: 0 success, 1 the command failed (the message says why), 2 wrong usage
    """

  static func main() async {
    var arguments = Array(CommandLine.arguments.dropFirst())
    guard let command = arguments.first else {
      print(usage)
      exit(2)
    }
    arguments.removeFirst()
    switch command {
    case "status":
      exit(await StatusCommand.run(arguments))
    case "-h", "--help", "help":
      print(usage)
      exit(0)
    default:
      printError("unknown command '\(command)'\n\n\(usage)")
      exit(2)
    }
  }
}

/// Writes a line to standard error.
func printError(_ message: String) {
  let line = Array(("mlflow-git: " + message + "\n").utf8)
  _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
