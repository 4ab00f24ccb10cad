package import GitState

#if canImport(Glibc)
import Glibc
#endif

/// The hooks' worker, and `mlflow-git sync`: registers the versions the hooks journaled
/// (``JournalDelivery``), then stores the traces journaled while their store was unreachable.
///
/// The two steps that belong to modules above this one are given to it: refreshing the
/// forwarding hooks (GitHooks) and delivering the journaled traces (MLflowTracing, which
/// depends on the runtime, which depends on this module). In the background — what the hooks
/// run — the worker detaches from the terminal, yields the CPU to the git command that ran the
/// hook, leaves the work to a delivery already running, and logs what went wrong to
/// `worker.log` instead of printing it.
///
/// # Usage
/// ```swift
/// let worker = JournalWorker(
///   refreshingHooks: { repository in _ = try? HookInstallation.refreshForwarding(in: repository) },
///   deliveringTraces: { stateDirectory in await TraceJournal(stateDirectory: stateDirectory).deliver() })
/// let report = try await worker.run(in: appDirectory, background: false)
/// print("versions created: \(report.versions.created), traces stored: \(report.traces.delivered)")
/// ```
package struct JournalWorker<Traces: JournaledTracesReport>: Sendable {
  /// What one run did: the versions delivered, then the traces.
  package struct Report: Sendable {
    /// What the delivery of the journaled versions did.
    package var versions: JournalDelivery.Report
    /// What the delivery of the journaled traces did.
    package var traces: Traces
  }

  /// Adds the forwarding hooks the team's hooks folder gained since install (run in the
  /// background only: a hook the folder gained runs from the next git command on).
  let refreshHooks: @Sendable (GitRepository) -> Void
  /// Stores the traces journaled in a state folder (`<git common dir>/mlflow-git`).
  let deliverTraces: @Sendable (String) async -> Traces

  /// A worker that refreshes the forwarding hooks with `refreshingHooks` and delivers the
  /// journaled traces with `deliveringTraces` (given the repository's state folder).
  package init(
    refreshingHooks: @escaping @Sendable (GitRepository) -> Void,
    deliveringTraces: @escaping @Sendable (String) async -> Traces
  ) {
    refreshHooks = refreshingHooks
    deliverTraces = deliveringTraces
  }

  /// Delivers the journal of the repository at `directory` (`nil`: the current directory's),
  /// then its journaled traces.
  ///
  /// - Parameters:
  ///   - background: Run as the hooks' worker: detach from the terminal at a lower priority,
  ///     refresh the forwarding hooks, leave the work to a delivery already running (instead of
  ///     waiting for it), report no progress, and log the traces' problems to `worker.log` (the
  ///     delivery logs its own as they happen).
  ///   - progress: Called with (done, total) while versions are registered (not in the background).
  /// - Throws: When `directory` is not in a Git repository.
  package func run(
    in directory: String? = nil, background: Bool, progress: (Int, Int) -> Void = { _, _ in }
  ) async throws(GitStateError) -> Report {
    if background {
      _ = setsid()
      // The worker starts while git, and the hook manager that ran the hook, are still finishing
      // the command: on a busy machine it yields the CPU to them.
      _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
    }
    let repository = try GitRepository.discover(from: directory)
    if background { refreshHooks(repository) }
    let versions = await JournalDelivery.deliver(
      from: repository, options: .init(sourceName: "mlflow-git hook"), waitForRunningWorker: !background
    ) { done, total in
      if !background { progress(done, total) }
    }
    let traces = await deliverTraces(Registration.stateDirectory(of: repository))
    if background {
      if let problem = traces.problem {
        JournalDelivery.log("\(traces.remaining) journaled traces wait for their store: \(problem)", in: repository)
      }
      if traces.unreadable > 0 {
        JournalDelivery.log("\(traces.unreadable) journaled traces are unreadable (kept as *.corrupt)", in: repository)
      }
    }
    return Report(versions: versions, traces: traces)
  }
}

/// What the worker reads of a delivery of journaled traces, to log it: the trace journal lives
/// in MLflowTracing, above this module, whose report conforms.
package protocol JournaledTracesReport: Sendable {
  /// Traces still waiting for their store.
  var remaining: Int { get }
  /// Traces that cannot be read.
  var unreadable: Int { get }
  /// Why traces are still waiting or were rejected, when it is known.
  var problem: String? { get }
}
