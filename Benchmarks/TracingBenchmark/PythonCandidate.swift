import BenchmarkSupport
import ChildProcess

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Times Python MLflow's `@mlflow.trace` on the same agent step and database: one warm
/// process per round (`python_trace.py`), with trace export asynchronous (MLflow 3.17's
/// default) or synchronous at the root span's end.
struct PythonCandidate {
  let python: String
  let script: String
  let repository: String
  let databasePath: String
  let environment: [String: String]
  let asyncExport: Bool

  struct Report: Decodable {
    var model_id: String
    var untraced_seconds: Double
    var traced_seconds: Double
    var exported_seconds: Double
    var linked_before: Int
    var linked_after: Int
    var spans_before: Int
    var spans_after: Int
  }

  var label: String {
    asyncExport
      ? "Python @mlflow.trace, async export (3.17 default)"
      : "Python @mlflow.trace, sync export (ASYNC_…=false)"
  }

  /// One round; `nil` (with the reason printed) when the Python process failed.
  func round(traces: Int, warmUp: Int) -> (TracingRound, modelID: String)? {
    var environment = self.environment
    environment["MLFLOW_TRACKING_URI"] = "sqlite:///" + databasePath
    environment["MLFLOW_ENABLE_ASYNC_TRACE_LOGGING"] = asyncExport ? "true" : "false"
    // Two export tasks per trace; a full queue drops traces, so it is sized for the round.
    environment["MLFLOW_ASYNC_TRACE_LOGGING_MAX_QUEUE_SIZE"] = String(max(1000, 4 * (traces + warmUp)))
    let output: ChildProcess.Output
    do {
      output = try ChildProcess.run(
        python, arguments: [script, repository, String(traces), String(warmUp)], environment: environment)
    } catch {
      print("\(label): \(error)")
      return nil
    }
    let lastLine = output.standardOutputText.split(separator: "\n").last.map(String.init) ?? ""
    guard output.succeeded, let report = try? JSONDecoder().decode(Report.self, from: Data(lastLine.utf8)) else {
      print("\(label) failed:\n\(output.standardOutputText)\n\(output.standardErrorText)")
      return nil
    }
    let round = TracingRound(
      traces: traces, untracedSeconds: report.untraced_seconds, tracedSeconds: report.traced_seconds,
      exportedSeconds: report.exported_seconds, storedTraces: report.linked_after - report.linked_before,
      storedSpans: report.spans_after - report.spans_before)
    return (round, report.model_id)
  }
}
