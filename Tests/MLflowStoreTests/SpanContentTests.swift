import Foundation
import MLflowStore
import Testing
import TestSupport

/// The `spans.content` text the SQLite store writes, byte for byte, against Python: the store
/// writes it directly rather than through a parsed value, so every escape, separator and
/// number must come out as Python's `json.dumps(…, ensure_ascii=False)` writes them.
@Suite("Span content in the SQLite store")
struct SpanContentTests {
  @Test("Span content is the text Python's json.dumps writes for it: escapes, non-ASCII, events, numbers")
  func contentAsPythonWritesIt() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let odd = "q\"uote \\ back\nnew\ttab\r\u{01}\u{1F}\u{7F} é 😀 \u{2028} /"
    var trace = SampleTrace.make(modelID: nil, question: odd)
    trace.spans[0].name = odd
    trace.spans[0].status = .init(.error, message: "failed: \(odd)")
    trace.spans[0].attributes["odd"] = JSONText.string(odd)
    trace.spans[1].events.append(
      Span.Event(
        name: odd, time: trace.spans[1].startTime + 3,
        attributes: [
          "nested": #"{"b": [1, 2.5, -0.0, 1e100, true, null, "\u00e9\n"], "a": {}}"#, "big": "-9223372036854775808",
          "text": JSONText.string(odd), "spaced": #" [ 1 , "x" ] "#,
        ]))
    _ = try await store.logTrace(trace)
    let contents = try RawDatabase(store.databasePath)
      .rows("SELECT content FROM spans WHERE trace_id = ? ORDER BY start_time_unix_nano", [trace.info.traceID])
      .compactMap { $0["content"] as? String }
    #expect(contents.count == 2)
    // Python re-dumps what it loads: the same text when ours is laid out as json.dumps lays it out.
    let answer = try await ReferenceMLflow.runJSON(
      """
      import json
      contents = [\(contents.map(pythonLiteral).joined(separator: ", "))]
      print(json.dumps([json.dumps(json.loads(c), ensure_ascii=False) for c in contents]))
      """, environment: ReferenceMLflow.environment())
    let redumped = try #require(answer as? [String])
    #expect(redumped == contents)
    #expect(contents.first?.contains(#""name": "q\"uote \\ back\nnew\ttab\r\u0001\u001f\#u{7F} é 😀 \#u{2028} /""#) == true)
  }
}
