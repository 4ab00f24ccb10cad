import ChildProcess
import Foundation
import MLflowStore
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration
@testable import MLflowTracing

@Suite("Traces the store cannot take wait in the journal and are delivered once")
struct TraceJournalTests {
  /// Records `count` traces linked to `modelID`, whose store is the `mlflow.db` of folder `later`,
  /// in a version scope whose mlflow-git state folder is `stateDirectory`; returns their IDs.
  static func traces(_ count: Int, linkedTo modelID: String, storedIn later: String, stateDirectory: String) -> [String] {
    let context = GitVersioningContext(
      info: nil,
      activeModel: ActiveModel(modelID: modelID, trackingURI: "sqlite:///" + later + "/mlflow.db", experimentID: "0"),
      problem: nil, foundInIndex: true, stateDirectory: stateDirectory)
    return ActiveState.$scoped.withValue(.set(context)) {
      (0..<count).map { (number: Int) in trace("offline-\(number)", inputs: number) { $0.traceID } }
    }
  }

  @Test("with the store missing, traces are journaled in private files and delivered, once, when it exists")
  func journaledThenDelivered() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let later = scratch.root + "/later"
    let stateDirectory = scratch.root + "/state"
    let modelID = "m-" + String(repeating: "ab", count: 16)
    let ids = Self.traces(3, linkedTo: modelID, storedIn: later, stateDirectory: stateDirectory)
    let before = TraceExporter.shared.counts
    await flushTraces()
    #expect(TraceExporter.shared.counts.journaled >= before.journaled)
    let journal = TraceJournal(stateDirectory: stateDirectory)
    #expect(journal.count == 3)
    var status = stat()
    #expect(stat(journal.directory, &status) == 0 && status.st_mode & 0o777 == 0o700)
    let files = journal.files()
    #expect(!files.isEmpty)
    #expect(files.allSatisfy { stat(journal.path(of: $0), &status) == 0 && status.st_mode & 0o777 == 0o600 })

    try FileManager.default.createDirectory(atPath: later, withIntermediateDirectories: true)
    try await MLflowDatabaseTemplate.copy(to: later + "/mlflow.db")
    let report = await journal.deliver(environment: scratch.environment)
    #expect(report.delivered == 3)
    #expect(report.remaining == 0)
    #expect(journal.count == 0)
    let store = try SQLiteTrackingStore(databasePath: later + "/mlflow.db", options: .init(createIfMissing: false))
    let linked = try await store.searchTraces(experimentIDs: ["0"], modelID: modelID)
    #expect(Set(linked.traces.map(\.traceID)) == Set(ids))
    #expect(await journal.deliver(environment: scratch.environment).delivered == 0)
  }

  @Test("`mlflow-git sync` stores the repository's journaled traces and `doctor` reports the backlog")
  func syncDeliversJournaledTraces() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let database = fixture.scratch.root + "/shared/mlflow.db"
    var environment = fixture.environment
    environment["MLFLOW_TRACKING_URI"] = "sqlite:///" + database
    let stateDirectory = fixture.repo + "/.git/mlflow-git"
    let context = GitVersioningContext(
      info: nil,
      activeModel: ActiveModel(
        modelID: "m-" + String(repeating: "cd", count: 16), trackingURI: "sqlite:///" + database, experimentID: "0"),
      problem: nil, foundInIndex: true, stateDirectory: stateDirectory)
    let ids = ActiveState.$scoped.withValue(.set(context)) {
      (0..<2).map { number in trace("offline-\(number)") { $0.traceID } }
    }
    await flushTraces()
    #expect(TraceJournal(stateDirectory: stateDirectory).count == 2)
    let doctor = try await runCLI(["doctor", "--json"], in: fixture.repo, environment: environment)
    #expect(doctor.standardOutputText.contains("2 traces wait for their store"))

    try FileManager.default.createDirectory(atPath: fixture.scratch.root + "/shared", withIntermediateDirectories: true)
    try await MLflowDatabaseTemplate.copy(to: database)
    let sync = try await runCLI(["sync", "--json"], in: fixture.repo, environment: environment)
    #expect(sync.standardOutputText.contains(#""tracesDelivered": 2"#), "\(sync.standardOutputText) \(sync.standardErrorText)")
    let store = try SQLiteTrackingStore(databasePath: database, options: .init(createIfMissing: false))
    for id in ids { #expect(try await store.trace(id: id).spans.count == 1) }
    #expect(TraceJournal(stateDirectory: stateDirectory).count == 0)
  }

  @Test("a trace of a version with a provisional ID waits until the version is delivered, then links to the final ID")
  func provisionalModelIDsAreHeldThenMapped() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let database = scratch.root + "/mlflow.db"
    try await MLflowDatabaseTemplate.copy(to: database)
    let stateDirectory = scratch.root + "/state"
    let journal = TraceJournal(stateDirectory: stateDirectory)
    let provisional = "m-" + String(repeating: "0", count: 32)
    let final = "m-" + String(repeating: "f", count: 32)
    let uri = "sqlite:///" + database
    try UndeliveredVersions(stateDirectory: stateDirectory).write(
      UndeliveredVersion(
        modelID: provisional, isProvisional: true, key: VersionIndex.Key(store: uri, experiment: "id:0", state: "s"),
        dirtyVersions: .perDiff, version: GitVersion(branch: "main", commit: String(repeating: "a", count: 40)),
        creationTimestamp: 0, tags: [:]),
      diff: nil)
    let traceID = TraceInfo.newTraceID()
    let start = TracingClock.nowNanoseconds()
    let trace = Trace(
      info: TraceInfo(
        traceID: traceID, experimentID: "0", requestTime: start / 1_000_000, metadata: [TraceInfo.modelIDKey: provisional]),
      spans: [Span(traceID: traceID, spanID: Span.newSpanID(), name: "root", startTime: start, endTime: start + 1000)])
    try journal.write([TraceRecord(trace: trace, trackingURI: uri, experimentName: nil)])
    try scratch.write("{not json", to: journal.directory + "/tr-" + String(repeating: "1", count: 32) + ".json")

    let held = await journal.deliver(environment: scratch.environment)
    #expect(held.delivered == 0)
    #expect(held.remaining == 1)
    #expect(held.unreadable == 1)

    // The version is delivered: the server gave it `final`.
    try ModelIDMapping.record(provisional: provisional, final: final, store: uri, stateDirectory: stateDirectory)
    try UndeliveredVersions(stateDirectory: stateDirectory).remove(provisional)
    let delivered = await journal.deliver(environment: scratch.environment)
    #expect(delivered.delivered == 1)
    let store = try SQLiteTrackingStore(databasePath: database, options: .init(createIfMissing: false))
    #expect(try await store.trace(id: traceID).info.metadata[TraceInfo.modelIDKey] == final)
  }

  @Test("a full queue spills to the journal instead of dropping, and holds no more than its bound; the exporter delivers every spilled trace, once, when it catches up")
  func fullQueueSpills() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let journal = fixture.scratch.root + "/traces"
    let exporter = TraceExporter(environment: [
      "MLFLOW_GIT_TRACE_QUEUE_SIZE": "10", "MLFLOW_GIT_TRACE_QUEUE_MB": "0.05", "MLFLOW_GIT_TRACE_BATCH_SIZE": "5",
    ])
    let destination = TraceDestination(
      trackingURI: "sqlite:///" + fixture.databasePath, experimentID: "0", modelID: nil, stateDirectory: nil,
      journalDirectory: journal, sourceMetadata: [:])
    let traces = (0..<2000).map { _ in sampleTrace() }
    var retained = 0
    var heldBytes = 0
    for trace in traces {
      exporter.export(trace, to: destination)
      let held = exporter.held
      retained = max(retained, held.queueStorage)
      heldBytes = max(heldBytes, held.bytes)
    }
    let counts = await exporter.flush(timeout: .seconds(120))
    #expect(retained <= 2 * 10 + 5, "memory stays bounded: the queue's storage held \(retained) traces")
    let bound = exporter.queueBytes + exporter.overflowBytes
    #expect(heldBytes <= bound, "memory stays bounded: \(heldBytes) bytes of traces held, the bound is \(bound)")
    #expect(counts.spilled > 0, "a queue of 10 overflows")
    #expect(counts.dropped == 0)
    #expect(counts.pending == 0)
    #expect(counts.stored + counts.spilled == traces.count)
    #expect(counts.storedFromJournal == counts.spilled, "every spilled trace delivered by the exporter itself")
    #expect(TraceJournal(directory: journal).count == 0)
    #expect(TraceJournal(directory: journal).counters.spilled == counts.spilled, "\(String(describing: try? String(contentsOfFile: journal + "/counters.json", encoding: .utf8))) \(String(describing: try? FileManager.default.contentsOfDirectory(atPath: journal)))")
    let page = try await fixture.store().searchTraces(experimentIDs: ["0"], modelID: nil, maxResults: 5000, pageToken: nil)
    #expect(page.traces.count == traces.count)
    #expect(Set(page.traces.map(\.traceID)) == Set(traces.map(\.info.traceID)))
  }

  @Test("past the journal's disk bound traces are dropped, counted in flushTraces() and the journal's counters, and `doctor` reports them")
  func journalBoundDrops() async throws {
    let fixture = try await TracingFixture()
    defer { fixture.remove() }
    let stateDirectory = fixture.repo + "/.git/mlflow-git"
    let journal = TraceJournal(stateDirectory: stateDirectory)
    // A store that is not there yet: every trace goes to the journal, which holds about 10.
    let uri = "sqlite:///" + fixture.scratch.root + "/missing/mlflow.db"
    let traces = (0..<50).map { _ in sampleTrace() }
    let tenTraces = 10 * TraceRecord(trace: traces[0], trackingURI: uri, experimentName: nil).bytes.count
    let exporter = TraceExporter(environment: ["MLFLOW_GIT_TRACE_JOURNAL_MB": String(Double(tenTraces) / 1_048_576)])
    let destination = TraceDestination(
      trackingURI: uri, experimentID: "0", modelID: nil, stateDirectory: stateDirectory, journalDirectory: journal.directory,
      sourceMetadata: [:])
    for trace in traces { exporter.export(trace, to: destination) }
    let counts = await exporter.flush(timeout: .seconds(60))
    #expect(counts.journaled > 0)
    #expect(counts.dropped > 0)
    #expect(counts.journaled + counts.dropped == 50)
    #expect(journal.count == counts.journaled)
    #expect(journal.counters.dropped == counts.dropped)
    let doctor = try await runCLI(["doctor", "--json"], in: fixture.repo, environment: fixture.environment)
    #expect(doctor.standardOutputText.contains("\(counts.journaled) traces wait for their store"), "\(doctor.standardOutputText)")
    #expect(doctor.standardOutputText.contains("\(counts.dropped) dropped past the journal's bound"))
  }
}

/// A finished one-span trace in experiment 0.
func sampleTrace(spans: Int = 1, attributes: [String: String] = [:]) -> Trace {
  let traceID = TraceInfo.newTraceID()
  let start = TracingClock.nowNanoseconds()
  let root = Span.newSpanID()
  var all = [Span(traceID: traceID, spanID: root, name: "root", startTime: start, endTime: start + 1000)]
  all[0].attributes = attributes
  for index in 1..<max(1, spans) {
    all.append(
      Span(traceID: traceID, spanID: Span.newSpanID(), parentSpanID: root, name: "child-\(index)", startTime: start + 10,
        endTime: start + 900))
  }
  return Trace(info: TraceInfo(traceID: traceID, experimentID: "0", requestTime: start / 1_000_000), spans: all)
}

/// Runs the built `mlflow-git` in `directory` (`ChildProcess.runLimited`: no thread blocks).
func runCLI(_ arguments: [String], in directory: String, environment: [String: String]) async throws -> ChildProcess.Output {
  try await ChildProcess.runLimited(
    "sh", arguments: ["-c", "cd \"$1\" && shift && exec \"$@\"", "mlflow-git", directory, BuiltProducts.executable(named: "mlflow-git")] + arguments,
    environment: environment)
}
