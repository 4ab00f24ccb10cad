import ChildProcess
import Foundation
import MLflowServerStore
import MLflowStore
import Testing
import TestSupport

@testable import MLflowTracing

@Suite("Traces are stored in batches; a refused batch is split, a failed one journaled once, a killed delivery completed once")
struct TraceBatchTests {
  @Test("a batch with one invalid trace is split until it is alone: the 63 others are stored, it is refused")
  func splitIsolatesTheBadTrace() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    var traces = (0..<64).map { _ in sampleTrace(spans: 2) }
    traces[37] = sampleTrace(attributes: ["mlflow.spanInputs": "not JSON"])
    let outcome = await BatchDelivery.store(traces, in: try fixture.store())
    #expect(outcome.stored.sorted() == Array(0..<64).filter { $0 != 37 })
    #expect(outcome.refused.map(\.index) == [37])
    #expect(outcome.refused.first?.error.code == .invalidArgument)
    #expect(outcome.unavailable.isEmpty)
    let stored = try await fixture.store().searchTraces(experimentIDs: ["0"], modelID: nil, maxResults: 100, pageToken: nil)
    #expect(Set(stored.traces.map(\.traceID)) == Set(traces.enumerated().filter { $0.offset != 37 }.map(\.element.info.traceID)))
  }

  @Test("through the exporter: one batch of 64 with one invalid trace stores 63 and drops (and counts) only that one")
  func exporterDropsOnlyTheBadTrace() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let exporter = TraceExporter(environment: ["MLFLOW_GIT_TRACE_BATCH_SIZE": "64", "MLFLOW_GIT_TRACE_BATCH_LINGER_MS": "2000"])
    let destination = TraceDestination(
      trackingURI: "sqlite:///" + fixture.databasePath, experimentID: "0", modelID: nil, stateDirectory: nil,
      journalDirectory: fixture.scratch.root + "/traces", sourceMetadata: [:])
    for index in 0..<64 {
      exporter.export(index == 20 ? sampleTrace(attributes: ["broken": "{"]) : sampleTrace(spans: 3), to: destination)
    }
    let counts = await exporter.flush(timeout: .seconds(60))
    #expect(counts.stored == 63)
    #expect(counts.dropped == 1)
    #expect(counts.journaled == 0)
    let stored = try await fixture.store().searchTraces(experimentIDs: ["0"], modelID: nil, maxResults: 100, pageToken: nil)
    #expect(stored.traces.count == 63)
  }

  @Test("on a server, a batch across two experiments, one of them deleted: the live one's traces are stored, the others journaled, none dropped")
  func refusedExperimentIsSplitOff() async throws {
    let fixture = try await TracingFixture.onServer()
    defer { fixture.remove() }
    let server = try #require(fixture.server)
    let store = try RESTTrackingStore(serverURL: server.url, environment: fixture.environment)
    let live = try await store.createExperiment(named: "live").experimentID
    let deleted = try await store.createExperiment(named: "deleted").experimentID
    _ = try await server.call("/api/2.0/mlflow/experiments/delete", method: "POST", body: ["experiment_id": deleted])
    let journal = fixture.scratch.root + "/traces"
    let exporter = TraceExporter(environment: ["MLFLOW_GIT_TRACE_BATCH_SIZE": "20", "MLFLOW_GIT_TRACE_BATCH_LINGER_MS": "2000"])
    let destination = TraceDestination(
      trackingURI: server.url, experimentID: nil, modelID: nil, stateDirectory: nil, journalDirectory: journal, sourceMetadata: [:])
    var liveIDs: Set<String> = []
    for index in 0..<20 {
      var trace = sampleTrace(spans: 2)
      trace.info.experimentID = index % 2 == 0 ? live : deleted
      if index % 2 == 0 { liveIDs.insert(trace.info.traceID) }
      exporter.export(trace, to: destination)
    }
    let counts = await exporter.flush(timeout: .seconds(120))
    #expect(counts.stored == 10)
    #expect(counts.journaled == 10)
    #expect(counts.dropped == 0)
    #expect(TraceJournal(directory: journal).count == 10)
    let found = try await store.searchTraces(experimentIDs: [live], modelID: nil, maxResults: 100, pageToken: nil)
    #expect(Set(found.traces.map(\.traceID)) == liveIDs)
    for id in liveIDs.prefix(3) { #expect(try await store.trace(id: id).spans.count == 2) }
    await fixture.remove()
  }

  @Test("a batch the server cannot take (down) is journaled whole and once; when it is back each trace is stored once, with its spans")
  func failedBatchIsJournaledOnce() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let server = try await MLflowServer(freshSQLiteIn: scratch.root + "/server")
    defer { server.stop() }
    let journal = TraceJournal(directory: scratch.root + "/traces")
    let exporter = TraceExporter(environment: ["MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_GIT_TRACE_BATCH_SIZE": "10"])
    let destination = TraceDestination(
      trackingURI: server.url, experimentID: "0", modelID: nil, stateDirectory: nil, journalDirectory: journal.directory,
      sourceMetadata: [:])
    let traces = (0..<30).map { _ in sampleTrace(spans: 3) }
    for trace in traces { exporter.export(trace, to: destination) }
    let counts = await exporter.flush(timeout: .seconds(60))
    #expect(counts.journaled == 30, "every trace journaled, none twice")
    #expect(counts.stored == 0)
    #expect(journal.count == 30)

    try await server.start()
    let report = await journal.deliver(environment: scratch.environment)
    #expect(report.delivered == 30)
    #expect(report.remaining == 0)
    #expect(journal.count == 0)
    #expect(await journal.deliver(environment: scratch.environment).delivered == 0)
    let database = server.directory + "/mlflow.db"
    #expect(try await sqlite(database, "SELECT count(*) FROM trace_info") == "30")
    #expect(try await sqlite(database, "SELECT count(*) FROM spans") == "90")
    await server.stop()
  }

  @Test("`mlflow-git sync` killed with SIGKILL in the middle of a batch to a server: the next sync stores every trace exactly once, each with its spans")
  func killedMidBatchOnServer() async throws {
    let fixture = try await TracingFixture.onServer()
    defer { fixture.remove() }
    let server = try #require(fixture.server)
    let database = server.directory + "/mlflow.db"
    let count = 300
    let ids = try journal(count, to: server.url, in: fixture)
    // Batches of 100: StartTraceV3 for each trace, then the spans; a kill while some infos have
    // no spans yet is a kill in the middle of a batch.
    var environment = fixture.environment
    environment["MLFLOW_GIT_TRACE_BATCH_SIZE"] = "100"
    let infosWithoutSpans =
      "SELECT count(*) FROM trace_info t WHERE NOT EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.request_id)"
    // Killed in the second batch: the first is complete, the second has infos without spans.
    let query = "sqlite3 -cmd '.timeout 10000' '\(database)'"
    let atKill = try await killMidRun(
      ["sync"], in: fixture.repo, environment: environment,
      until: "[ \"$(\(query) 'SELECT count(*) FROM trace_info WHERE (\(infosWithoutSpans)) > 0' 2>/dev/null || echo 0)\" -gt 100 ]",
      report: "\(query) 'SELECT count(*) FROM trace_info'; \(query) '\(infosWithoutSpans)'")
    #expect(atKill.count == 2 && atKill[1] > 0, "killed while \(atKill) traces were stored, some without spans yet")
    #expect((atKill.first ?? count) > 100 && (atKill.first ?? count) < count)

    let sync = try await runCLI(["sync", "--json"], in: fixture.repo, environment: environment)
    #expect(sync.succeeded, "\(sync.standardOutputText) \(sync.standardErrorText)")
    #expect(try await sqlite(database, "SELECT count(*) FROM trace_info") == String(count))
    #expect(try await sqlite(database, "SELECT count(DISTINCT request_id) FROM trace_info") == String(count))
    #expect(try await sqlite(database, "SELECT count(*) FROM spans") == String(3 * count))
    #expect(try await sqlite(database, infosWithoutSpans) == "0")
    let stored = Set(try await sqlite(database, "SELECT request_id FROM trace_info").split(separator: "\n").map(String.init))
    #expect(stored == ids)
    #expect(TraceJournal(stateDirectory: fixture.repo + "/.git/mlflow-git").count == 0)
    await fixture.remove()
  }

  @Test("`mlflow-git sync` killed with SIGKILL while delivering into mlflow.db: the next sync stores every trace exactly once")
  func killedMidDeliveryIntoSQLite() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let database = fixture.databasePath
    let count = 3000
    let ids = try journal(count, to: fixture.trackingURI, in: fixture)
    var environment = fixture.environment
    environment["MLFLOW_GIT_TRACE_BATCH_SIZE"] = "50"
    let atKill = try await killMidRun(
      ["sync"], in: fixture.repo, environment: environment,
      until: "[ \"$(sqlite3 -cmd '.timeout 10000' '\(database)' 'SELECT count(*) FROM trace_info' 2>/dev/null || echo 0)\" -gt 0 ]",
      report: "sqlite3 -cmd '.timeout 10000' '\(database)' 'SELECT count(*) FROM trace_info'")
    let storedAtKill = atKill.first ?? count
    #expect(storedAtKill > 0 && storedAtKill < count, "killed with \(storedAtKill) of \(count) stored")

    let sync = try await runCLI(["sync", "--json"], in: fixture.repo, environment: environment)
    #expect(sync.succeeded, "\(sync.standardOutputText) \(sync.standardErrorText)")
    #expect(try await sqlite(database, "SELECT count(*) FROM trace_info") == String(count))
    #expect(try await sqlite(database, "SELECT count(*) FROM spans") == String(3 * count))
    let stored = Set(try await sqlite(database, "SELECT request_id FROM trace_info").split(separator: "\n").map(String.init))
    #expect(stored == ids)
    #expect(TraceJournal(stateDirectory: fixture.repo + "/.git/mlflow-git").count == 0)
  }

  /// Journals `count` three-span traces for `trackingURI` in the fixture repository's journal.
  private func journal(_ count: Int, to trackingURI: String, in fixture: TracingFixture) throws -> Set<String> {
    let stateDirectory = fixture.repo + "/.git/mlflow-git"
    let journal = TraceJournal(stateDirectory: stateDirectory)
    let destination = TraceDestination(
      trackingURI: trackingURI, experimentID: "0", modelID: nil, stateDirectory: stateDirectory,
      journalDirectory: journal.directory, sourceMetadata: [:])
    let traces = (0..<count).map { _ in sampleTrace(spans: 3) }
    try journal.write(traces.map { TraceExporter.Pending(trace: $0, destination: destination).record }, durable: false)
    return Set(traces.map(\.info.traceID))
  }
}

/// Starts the built `mlflow-git arguments…` in `directory`, waits (up to 30 s) until the shell
/// condition `until` holds, kills it with SIGKILL, and returns the numbers `report` prints.
func killMidRun(
  _ arguments: [String], in directory: String, environment: [String: String], until: String, report: String
) async throws -> [Int] {
  let output = try await ChildProcess.runLimited(
    "sh",
    arguments: [
      "-c",
      """
      cd "$1" || exit 1
      shift
      "$@" >/dev/null 2>&1 & pid=$!
      tries=0
      until \(until) || [ $tries -ge 6000 ]; do sleep 0.005; tries=$((tries + 1)); done
      kill -9 $pid; wait $pid
      \(report)
      """,
      "kill", directory, BuiltProducts.executable(named: "mlflow-git"),
    ] + arguments, environment: environment)
  let numbers = output.standardOutputText.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
  if numbers.isEmpty { throw TestFailure("the kill script printed \(output.standardOutputText) \(output.standardErrorText)") }
  return numbers
}

/// What `sqlite3 database sql` prints, trimmed.
func sqlite(_ database: String, _ sql: String) async throws -> String {
  let output = try await ChildProcess.runLimited("sqlite3", arguments: [database, sql])
  guard output.succeeded else { throw TestFailure("sqlite3 failed: \(output.standardErrorText)") }
  return output.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)
}
