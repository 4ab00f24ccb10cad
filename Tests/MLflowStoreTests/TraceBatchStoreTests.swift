import Foundation
import MLflowServerStore
import MLflowStore
import Testing
import TestSupport

/// `logTraces` writes the rows `logTrace` writes, in one transaction or in as few requests as
/// MLflow's API allows, and sending a batch again changes nothing.
@Suite("Trace batches in the stores")
struct TraceBatchStoreTests {
  @Test("mlflow.db: a batch's rows are those of the same traces logged one at a time; sending it again adds none")
  func sqliteBatchRows() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    try await expectSameRows(store: store, database: store.databasePath)
  }

  @Test("a server on SQLite: a batch's rows are those of the same traces logged one at a time; sending it again adds none")
  func serverBatchRows() async throws {
    let server = try await MLflowServer.sqlite.value
    let store = try RESTTrackingStore(serverURL: server.url, configuration: StoreBackend.testConfiguration)
    try await expectSameRows(store: store, database: server.directory + "/mlflow.db")
  }

  /// Logs a trace alone, and a copy (new IDs) inside a batch of three; their rows must match
  /// once the IDs are replaced. Then the batch again: no row more.
  private func expectSameRows(store: any TrackingStore, database: String) async throws {
    let model = "m-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    let single = SampleTrace.make(modelID: model)
    _ = try await store.logTrace(single)
    let copy = renamed(single)
    let batch = [SampleTrace.make(modelID: model), copy, SampleTrace.make(modelID: model)]
    try await store.logTraces(batch)
    let raw = try RawDatabase(database, busyTimeoutMilliseconds: 10_000)  // a shared server may be writing
    let expected = try rows(of: single, in: raw).map { replacingIDs(of: single, by: copy, in: $0) }.sorted()
    let actual = try rows(of: copy, in: raw).sorted()
    #expect(actual == expected, "only in the batch's: \(actual.filter { !expected.contains($0) }); only alone: \(expected.filter { !actual.contains($0) })")
    // Other tests share the server: count this batch's rows only.
    let ids = batch.map { "'\($0.info.traceID)'" }.joined(separator: ", ")
    let countRows = "SELECT (SELECT count(*) FROM trace_info WHERE request_id IN (\(ids))) AS t, "
      + "(SELECT count(*) FROM spans WHERE trace_id IN (\(ids))) AS s, "
      + "(SELECT count(*) FROM trace_request_metadata WHERE request_id IN (\(ids))) AS m"
    let counts = try raw.rows(countRows)
    #expect(counts.first?["t"] as? Int64 == 3 && counts.first?["s"] as? Int64 == 6)
    try await store.logTraces(batch)
    #expect(try raw.rows(countRows) == counts)
    let found = try await store.searchTraces(experimentIDs: ["0"], modelID: model, maxResults: 10, pageToken: nil)
    #expect(found.traces.count == 4)
  }

  /// The trace's rows as text: its `trace_info` row (without the ID), tags, metadata and spans.
  /// Not `db_payload_generation`: it counts a server's writes of the row (1 when the info comes
  /// before the spans, as in a batch; 2 when the spans create the row and the info is merged
  /// into it, the order of one trace at a time and of Python's client); MLflow reads any
  /// positive value alike.
  private func rows(of trace: Trace, in raw: RawDatabase) throws -> [String] {
    let id = trace.info.traceID
    func text(_ rows: [[String: AnyHashable]], dropping: Set<String>) -> [String] {
      rows.map { row in row.filter { !dropping.contains($0.key) }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        .sorted()
    }
    return text(try raw.rows("SELECT * FROM trace_info WHERE request_id = ?", [id]), dropping: ["request_id", "db_payload_generation"])
      + text(try raw.rows("SELECT key, value FROM trace_tags WHERE request_id = ?", [id]), dropping: [])
      + text(try raw.rows("SELECT key, value FROM trace_request_metadata WHERE request_id = ?", [id]), dropping: [])
      + text(try raw.rows("SELECT * FROM spans WHERE trace_id = ?", [id]), dropping: [])
  }

  /// The same trace under new trace and span IDs.
  private func renamed(_ trace: Trace) -> Trace {
    var copy = trace
    let traceID = TraceInfo.newTraceID()
    var spanIDs: [String: String] = [:]
    for span in trace.spans { spanIDs[span.spanID] = Span.newSpanID() }
    copy.info.traceID = traceID
    copy.spans = trace.spans.map { span in
      var renamed = span
      renamed.traceID = traceID
      renamed.spanID = spanIDs[span.spanID]!
      renamed.parentSpanID = span.parentSpanID.map { spanIDs[$0]! }
      return renamed
    }
    return copy
  }

  /// `text` with every ID of `original` (hex and the base64 form span content uses) replaced by
  /// the matching one of `copy`.
  private func replacingIDs(of original: Trace, by copy: Trace, in text: String) -> String {
    var pairs = [(original.info.traceID, copy.info.traceID)]
    pairs += zip(original.spans, copy.spans).map { ($0.spanID, $1.spanID) }
    var result = text
    for (old, new) in pairs {
      let bare = (old.hasPrefix("tr-") ? String(old.dropFirst(3)) : old, new.hasPrefix("tr-") ? String(new.dropFirst(3)) : new)
      result = result.replacingOccurrences(of: old, with: new)
      result = result.replacingOccurrences(of: bare.0, with: bare.1)
      result = result.replacingOccurrences(of: base64(ofHex: bare.0), with: base64(ofHex: bare.1))
    }
    return result
  }

}
