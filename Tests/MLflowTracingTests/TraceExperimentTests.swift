import ChildProcess
import Foundation
import GitVersioning
import MLflowStore
import Testing
import TestSupport

@testable import MLflowTracing

@Suite("Traces go to their version's experiment")
struct TraceExperimentTests {
  @Test("a version found in the index under an experiment name: its journaled trace lands there, whatever environment syncs it")
  func indexedUnderExperimentName() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    var options = fixture.options
    options.environment?["MLFLOW_EXPERIMENT_NAME"] = "support-agent"
    _ = try await VersionResolution.resolve(options: options)  // registered, as a hook would
    let experiment = try #require(try await fixture.store().experiment(named: "support-agent"))

    // Another process holds mlflow.db locked, so the trace is journaled.
    let release = fixture.scratch.root + "/release"
    let holder = Task {
      try await ChildProcess.runAsync(
        "sh",
        arguments: [
          "-c", "( printf 'BEGIN EXCLUSIVE;\\nSELECT 1;\\n'; while [ ! -e \"$2\" ]; do sleep 0.1; done; printf 'COMMIT;\\n' ) | sqlite3 \"$1\"",
          "hold", fixture.databasePath, release,
        ])
    }
    try await Task.sleep(for: .milliseconds(500))
    let (modelExperiment, traceID) = await withGitModelVersioning(options: options) { context in
      (context.activeModel?.experimentID, trace("answer", inputs: "question") { $0.traceID })
    }
    #expect(modelExperiment == experiment.experimentID, "the index gives the experiment's ID")
    _ = await flushTraces()
    #expect(TraceJournal(stateDirectory: fixture.repo + "/.git/mlflow-git").count == 1, "the trace was journaled")
    _ = try? Data().write(to: URL(fileURLWithPath: release))
    _ = try await holder.value

    // `mlflow-git sync` from a shell that selects no experiment (the default one).
    let sync = try await runCLI(["sync"], in: fixture.repo, environment: fixture.environment)
    #expect(sync.succeeded, "\(sync.standardErrorText)")
    let stored = try await fixture.store().trace(id: traceID)
    #expect(stored.info.experimentID == experiment.experimentID)
  }
}
