/// The JSON MLflow keeps in `spans.content`: Python's `Span.to_dict()` dumped with
/// `json.dumps(…, ensure_ascii=False)`. IDs are base64 of their bytes, attribute values are
/// JSON texts stored as strings, event attribute values are plain JSON values.
enum SpanContent {
  /// The span attributes as stored: `mlflow.traceRequestId` and `mlflow.spanType` first (from the
  /// span's trace ID and type), then the span's own attributes by key.
  static func storedAttributes(of span: Span) -> [(key: String, value: String)] {
    var attributes: [(key: String, value: String)] = [
      (Span.traceRequestIDKey, JSONText.string(span.traceID)),
      (Span.typeKey, JSONText.string(span.type.rawValue)),
    ]
    for (key, value) in span.attributes.sorted(by: { $0.key < $1.key })
    where key != Span.traceRequestIDKey && key != Span.typeKey {
      attributes.append((key, value))
    }
    return attributes
  }

  /// The `content` text for `span`, whose attribute and event values are valid JSON texts.
  static func encode(_ span: Span, attributes: [(key: String, value: String)]) -> String {
    let events = span.events.map { event in
      JSONValue.object([
        ("name", .string(event.name)),
        ("time_unix_nano", .integer(event.time)),
        ("attributes", .object(event.attributes.sorted(by: { $0.key < $1.key }).map { ($0.key, JSONValue.parse($0.value) ?? .null) })),
      ])
    }
    return JSONValue.object([
      ("trace_id", .string(Identifiers.base64(fromHex: span.traceID.dropFirst(3)))),
      ("span_id", .string(Identifiers.base64(fromHex: span.spanID))),
      ("parent_span_id", span.parentSpanID.map { .string(Identifiers.base64(fromHex: $0)) } ?? .null),
      ("name", .string(span.name)),
      ("start_time_unix_nano", .integer(span.startTime)),
      ("end_time_unix_nano", span.endTime.map { .integer($0) } ?? .null),
      ("events", .array(events)),
      ("status", .object([("code", .string("STATUS_CODE_" + span.status.code.rawValue)), ("message", .string(span.status.message))])),
      ("attributes", .object(attributes.map { ($0.key, .string($0.value)) })),
      ("links", .array([])),
    ]).pythonJSON
  }

  /// What a stored `content` adds to the span columns: attributes, events and the status message.
  struct Decoded {
    var attributes: [String: String] = [:]
    var events: [Span.Event] = []
    var statusMessage = ""
  }

  /// Reads a stored `content`; unreadable parts are left empty.
  static func decode(_ content: String) -> Decoded {
    var decoded = Decoded()
    guard let json = JSONValue.parse(content) else { return decoded }
    if case .object(let attributes)? = json["attributes"] {
      for (key, value) in attributes { decoded.attributes[key] = value.stringValue ?? value.pythonJSON }
    }
    if case .array(let events)? = json["events"] {
      decoded.events = events.map { event in
        var attributes: [String: String] = [:]
        if case .object(let members)? = event["attributes"] {
          for (key, value) in members { attributes[key] = value.pythonJSON }
        }
        var time: Int64 = 0
        if case .integer(let nanoseconds)? = event["time_unix_nano"] { time = nanoseconds }
        return Span.Event(name: event["name"]?.stringValue ?? "", time: time, attributes: attributes)
      }
    }
    decoded.statusMessage = json["status"]?["message"]?.stringValue ?? ""
    return decoded
  }
}
