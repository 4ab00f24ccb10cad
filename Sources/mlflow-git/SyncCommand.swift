import GitHooks
import GitState
import MLflowStore
import MLflowTracing
import VersionRegistration

/// `mlflow-git sync`: deliver the hooks' journal now.
struct SyncCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sync",
    abstract: "Register the versions the hooks journaled, now.",
    discussion: """
      Registers every version the hooks journaled (commits, checkouts, merges, amends, rebases)
      in the tracking store, waiting for a delivery already running, delivers the versions
      kept undelivered, then stores the traces journaled while their store was unreachable.

      While the store is absent (no mlflow.db and no `mlflow` to create it, or a tracking server
      down), each journaled state gets its model ID now and waits undelivered in
      .git/mlflow-git; sync delivers it once mlflow.db exists (`mlflow ui`, `mlflow db upgrade`,
      or MLflow installed) or the server answers. Exit status 1 while anything waits. Progress
      goes to standard error.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [
      .flag(
        "--json", \.json,
        help: """
          Print one JSON object: delivered, created, kept, undelivered, skipped, malformed,
          pending, problem, tracesDelivered, tracesWaiting, tracesUnreadable, tracesProblem.
          """),
      .flag(
        "--background", \.background,
        help: """
          What the hooks run: detach from the terminal, print nothing, leave the work to a
          delivery already running, always exit 0; problems go to
          `<git common dir>/mlflow-git/worker.log`.
          """),
    ]
  }

  var json = false
  var background = false

  func run() async -> ExitCode {
    let worker = JournalWorker(
      refreshingHooks: { repository in _ = try? HookInstallation.refreshForwarding(in: repository) },
      deliveringTraces: { stateDirectory in await TraceJournal(stateDirectory: stateDirectory).deliver() })
    var lastDrawn = -1
    let delivered: JournalWorker<TraceJournal.Report>.Report
    do {
      delivered = try await worker.run(background: background) { done, total in
        guard total >= 20, done * 50 / total != lastDrawn else { return }
        lastDrawn = done * 50 / total
        ProgressBar.draw(done: done, total: total, label: "registering")
      }
    } catch {
      if !background { printError(error.description) }
      return background ? 0 : 1
    }
    // Nothing is printed in the background: what went wrong is in the worker's log.
    if background { return 0 }
    let report = delivered.versions
    let traces = delivered.traces
    if lastDrawn >= 0 { writeStandardError("\n") }
    if json {
      print(
        JSONValue.objectText([
          ("delivered", .int(report.delivered)), ("created", .int(report.created)), ("kept", .int(report.kept)),
          ("undelivered", .int(report.undelivered)), ("skipped", .int(report.skipped)),
          ("malformed", .int(report.malformed)), ("pending", .int(report.pending)),
          ("problem", report.problem.map { JSONValue.string($0.description) } ?? .null),
          ("tracesDelivered", .int(traces.delivered)), ("tracesWaiting", .int(traces.remaining)),
          ("tracesUnreadable", .int(traces.unreadable)), ("tracesRejected", .int(traces.rejected)),
          ("tracesProblem", traces.problem.map(JSONValue.string) ?? .null),
        ]))
    } else {
      print(
        "\(report.delivered) journaled states delivered (\(report.created) new versions), \(report.skipped) skipped"
          + (report.malformed > 0 ? ", \(report.malformed) unreadable lines skipped" : "")
          + (report.pending > 0 ? ", \(report.pending) still waiting" : "")
          + (report.undelivered > 0 ? ", \(report.undelivered) undelivered (they have their model IDs)" : ""))
      if traces.delivered + traces.remaining + traces.unreadable + traces.rejected > 0 {
        print(
          "\(traces.delivered) journaled traces stored"
            + (traces.remaining > 0 ? ", \(traces.remaining) still waiting" : "")
            + (traces.unreadable > 0 ? ", \(traces.unreadable) unreadable (kept as *.corrupt)" : "")
            + (traces.rejected > 0 ? ", \(traces.rejected) refused by the store as invalid (kept as *.rejected)" : ""))
      }
    }
    if let problem = traces.problem {
      printError(
        traces.remaining > 0
          ? "traces stay journaled until their store is available: \(problem)"
          : "the store refused some journaled traces: \(problem)")
    }
    if let problem = report.problem {
      if report.pending > 0 {
        printError("versions stay journaled until the store is available: \(problem)")
      } else {
        printError(
          "\(report.undelivered) versions keep their model IDs and wait undelivered for the store; run "
            + "`mlflow-git sync` again once it is there: \(problem)")
      }
      return 1
    }
    return 0
  }
}


/// A one-line progress bar on standard error.
enum ProgressBar {
  static func draw(done: Int, total: Int, label: String) {
    let width = 30
    let filled = total == 0 ? width : done * width / total
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    writeStandardError("\r\(label) [\(bar)] \(done)/\(total)")
  }
}
