import GitVersioning
import LocalFiles
import MLflowStore

#if canImport(Glibc)
import Glibc
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// install.sh installs mlflow-git as two executables built from the same source:
///
/// - `mlflow-git`, a static executable, which starts sooner (a dynamically linked one spends
///   time loading and relocating libraries; VersioningBenchmark `--cli` measures both), for the
///   commands an app start or a shell prompt runs;
/// - `mlflow-git-http` next to it, linked dynamically, which can load libcurl.
///
/// A static executable must not load libcurl (see `StaticExecutable`), so the static one runs a
/// command itself only when it needs no HTTP: one of ``localCommands`` on a SQLite store. It
/// hands every other command to its companion, with the same arguments and environment, after
/// parsing them itself: help and usage errors never need the companion.
enum Companion {
  /// The companion's file name, in the static executable's directory.
  static let fileName = "mlflow-git-http"

  /// Commands that reach no store but the current one.
  static let localCommands: Set<String> = ["status", "exec", "versions", "show", "diff", "traces", "compare"]

  /// `true` when this process must hand `command`, parsed already, over: it is a static
  /// executable and the command may talk HTTP.
  static func isNeeded(for command: String) -> Bool {
    guard StaticExecutable.isCurrentProcess else { return false }
    guard localCommands.contains(command) else { return true }
    let environment = ProcessInfo.processInfo.environment
    guard case .server = Registration.trackingURI(forDirectory: nil, environment: environment) else { return false }
    return true
  }

  /// Replaces this process with the companion, keeping the arguments (and `argv[0]`, which
  /// MLflow records as the source name) and the environment. Returns only when that fails,
  /// with the exit status to use after saying why.
  static func replaceProcess() -> Int32 {
    let path = directory() + "/" + fileName
    var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
    argv.append(nil)
    execv(path, &argv)
    let reason = String(cString: strerror(errno))
    printError(
      "this command needs \(path), which talks to tracking servers and is installed next to mlflow-git, "
        + "but it cannot be run (\(reason)); run install.sh again")
    return 1
  }

  /// The directory of this executable, symbolic links resolved.
  private static func directory() -> String {
    let path = InstallCommand.executablePath()
    return path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
  }
}
