import BenchmarkSupport
import ChildProcess

import Foundation

/// What the load and growth benchmarks share: a scratch repository, the Swift producer as a
/// child process of this executable, and the Python producer.
struct LoadSetup {
  let root: String
  let python: String
  let mlflow: String
  let environment: [String: String]

  /// A new repository `name` under the root with one commit and a remote; with `database`,
  /// an `mlflow.db` made by `mlflow db upgrade` at its top.
  func repository(_ name: String, database: Bool) -> String {
    let repository = root + "/" + name
    setupShell(
      "git init -q '\(repository)' && cd '\(repository)' && echo '\(name)' > agent.txt"
        + " && git add -A && git -c user.name=b -c user.email=b@b commit -q -m init"
        + " && git remote add origin https://git.example.com/acme/\(name).git"
        + (database ? " && '\(mlflow)' db upgrade sqlite:///\(repository)/mlflow.db > /dev/null 2>&1" : ""),
      environment: environment)
    return repository
  }

  /// Runs the Swift producer (`TracingBenchmark produce <plan>`) in a process of its own.
  func produce(_ plan: Producer.Plan, extraEnvironment: [String: String] = [:]) -> Producer.Report? {
    let executable = CommandLine.arguments[0].hasPrefix("/")
      ? CommandLine.arguments[0] : packageRoot() + "/" + CommandLine.arguments[0]
    let json = String(decoding: try! JSONEncoder().encode(plan), as: UTF8.self)
    let output: ChildProcess.Output
    do {
      output = try ChildProcess.run(
        executable, arguments: ["produce", json], environment: environment.merging(extraEnvironment) { $1 })
    } catch {
      say("producer: \(error)")
      return nil
    }
    let last = output.standardOutputText.split(separator: "\n").last.map(String.init) ?? ""
    guard output.succeeded, let report = try? JSONDecoder().decode(Producer.Report.self, from: Data(last.utf8)) else {
      say("producer failed:\n\(output.standardOutputText.suffix(3000))\n\(output.standardErrorText.suffix(3000))")
      return nil
    }
    return report
  }

  struct PythonReport: Decodable {
    var model_id: String
    var produced: Int
    var produce_seconds: Double
    var drain_seconds: Double
    var drained: Bool
    var span_p50: Double
    var span_p99: Double
    var span_max: Double
    var peak_memory: Int
    var lag_seconds: Double
  }

  /// Runs `python_load.py` in `repository`: Python MLflow's async export under the same load.
  func producePython(
    repository: String, trackingURI: String, seconds: Double, rate: Double, threads: Int, drainLimit: Double
  ) -> PythonReport? {
    var environment = self.environment
    environment["MLFLOW_TRACKING_URI"] = trackingURI
    environment["MLFLOW_ENABLE_ASYNC_TRACE_LOGGING"] = "true"
    // Its default queue (1,000) drops what does not fit; sized for the run, so what is
    // measured is how fast it exports, not what it drops.
    environment["MLFLOW_ASYNC_TRACE_LOGGING_MAX_QUEUE_SIZE"] = String(Int(rate * seconds) * 2 + 1000)
    let script = packageRoot() + "/Benchmarks/TracingBenchmark/python_load.py"
    let arguments = [script, repository, String(seconds), String(rate), String(threads), String(drainLimit)]
    guard let output = try? ChildProcess.run(python, arguments: arguments, environment: environment) else { return nil }
    let last = output.standardOutputText.split(separator: "\n").last.map(String.init) ?? ""
    guard output.succeeded, let report = try? JSONDecoder().decode(PythonReport.self, from: Data(last.utf8)) else {
      say("python producer failed:\n\(output.standardOutputText.suffix(2000))\n\(output.standardErrorText.suffix(3000))")
      return nil
    }
    return report
  }

  /// Runs Python code with `MLFLOW_TRACKING_URI` = `trackingURI` and returns the JSON object it
  /// prints last.
  func pythonJSON(_ code: String, trackingURI: String) -> [String: Any]? {
    var environment = self.environment
    environment["MLFLOW_TRACKING_URI"] = trackingURI
    guard let output = try? ChildProcess.run(python, arguments: ["-c", code], environment: environment) else { return nil }
    let last = output.standardOutputText.split(separator: "\n").last.map(String.init) ?? ""
    guard output.succeeded, let json = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else {
      say("python failed:\n\(output.standardErrorText.suffix(3000))")
      return nil
    }
    return json
  }
}
