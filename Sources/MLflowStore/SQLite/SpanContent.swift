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

  /// The `content` text for `span`, whose attribute and event values are valid JSON texts, as
  /// UTF-8 bytes; written directly, in the order and layout of Python's `Span.to_dict()`
  /// dumped by `json.dumps`.
  static func encode(_ span: Span, attributes: [(key: String, value: String)]) -> [UInt8] {
    var json = PythonJSONWriter(
      capacity: 512 + span.name.utf8.count + attributes.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 8 })
    json.raw("{\"trace_id\": ")
    json.base64String(ofHex: span.traceID.dropFirst(3).utf8)
    json.raw(", \"span_id\": ")
    json.base64String(ofHex: Substring(span.spanID).utf8)
    json.raw(", \"parent_span_id\": ")
    if let parent = span.parentSpanID { json.base64String(ofHex: Substring(parent).utf8) } else { json.raw("null") }
    json.raw(", \"name\": ")
    json.string(span.name)
    json.raw(", \"start_time_unix_nano\": ")
    json.integer(span.startTime)
    json.raw(", \"end_time_unix_nano\": ")
    if let end = span.endTime { json.integer(end) } else { json.raw("null") }
    json.raw(", \"events\": [")
    for (index, event) in span.events.enumerated() {
      if index > 0 { json.raw(", ") }
      json.raw("{\"name\": ")
      json.string(event.name)
      json.raw(", \"time_unix_nano\": ")
      json.integer(event.time)
      json.raw(", \"attributes\": {")
      // Event attribute values are stored as JSON values, not texts: parsed and written again.
      for (position, attribute) in event.attributes.sorted(by: { $0.key < $1.key }).enumerated() {
        if position > 0 { json.raw(", ") }
        json.string(attribute.key)
        json.raw(": ")
        json.value(JSONValue.parse(attribute.value) ?? .null)
      }
      json.raw("}}")
    }
    json.raw("], \"status\": {\"code\": ")
    json.string("STATUS_CODE_" + span.status.code.rawValue)
    json.raw(", \"message\": ")
    json.string(span.status.message)
    json.raw("}, \"attributes\": {")
    for (index, attribute) in attributes.enumerated() {
      if index > 0 { json.raw(", ") }
      json.string(attribute.key)
      json.raw(": ")
      json.string(attribute.value)
    }
    json.raw("}, \"links\": []}")
    return json.bytes
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
