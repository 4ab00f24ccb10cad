import ChildProcess

#if canImport(Glibc)
import Glibc
#endif

/// A local `mlflow server` (one worker, no job runner) on a database, in its own process group,
/// for a benchmark's server case; waits until it answers `/health`. A server not stopped is
/// killed when the benchmark exits (a failed step exits at once).
///
/// ```swift
/// let server = LocalMLflowServer(mlflow: mlflow, python: python, backendURI: "sqlite:///…/mlflow.db",
///                                directory: root, environment: environment)
/// defer { server.stop() }
/// ```
public struct LocalMLflowServer {
  /// `http://127.0.0.1:<port>`.
  public let url: String
  private let processGroup: pid_t?

  /// Starts the server (its log is `directory/server.log`); exits the benchmark when it does not
  /// answer within two minutes.
  public init(mlflow: String, python: String, backendURI: String, directory: String, environment: [String: String]) {
    let port = Int.random(in: 20_000..<40_000)
    url = "http://127.0.0.1:\(port)"
    processGroup = pid_t(
      setupShell(
        "cd '\(directory)' && MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid '\(mlflow)' server --backend-store-uri "
          + "'\(backendURI)' --host 127.0.0.1 --port \(port) --workers 1 >server.log 2>&1 </dev/null & echo $!",
        environment: environment
      ).trimmingWhitespace())
    if let processGroup {
      if serverGroups.isEmpty { atexit { for group in serverGroups { kill(-group, SIGKILL) } } }
      serverGroups.append(processGroup)
    }
    setupShell(
      "'\(python)' -c 'import time, urllib.request\nfor _ in range(600):\n    try:\n        urllib.request.urlopen(\"\(url)/health\"); break\n    except Exception:\n        time.sleep(0.2)\nelse:\n    raise SystemExit(1)'",
      environment: environment)
  }

  /// Stops the server's process group (SIGTERM, then SIGKILL after 3 s).
  public func stop() {
    guard let leader = processGroup else { return }
    serverGroups.removeAll { $0 == leader }
    kill(-leader, SIGTERM)
    for _ in 0..<30 where kill(-leader, 0) == 0 { usleep(100_000) }
    kill(-leader, SIGKILL)
  }
}

/// The process groups of the servers started and not stopped yet (benchmarks run their steps
/// one after the other on the main thread).
nonisolated(unsafe) private var serverGroups: [pid_t] = []
