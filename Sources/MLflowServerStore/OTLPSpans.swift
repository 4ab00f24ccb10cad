import FoundationEssentials
import MLflowStore

/// Spans as OpenTelemetry's JSON: OTLP/HTTP requests to `/v1/traces` (camelCase, hex IDs) and
/// the OTel `Span` messages MLflow returns with a trace (snake_case, base64 IDs).
///
/// MLflow keeps span attribute values as JSON texts and re-encodes whatever it receives with
/// `json.dumps`, so each attribute is sent as the OTel value of its parsed JSON: read back, it
/// is the same JSON text as Python writes it.
enum OTLPSpans {
  /// An `ExportTraceServiceRequest` with `spans` (all of one trace, already validated).
  static func exportRequest(_ spans: [Span]) -> JSONValue {
    .object([
      ("resourceSpans", .array([
        .object([
          ("resource", .object([("attributes", .array([]))])),
          ("scopeSpans", .array([
            .object([
              ("scope", .object([("name", .string("mlflow-git"))])),
              ("spans", .array(spans.map(span))),
            ])
          ])),
        ])
      ]))
    ])
  }

  private static func span(_ span: Span) -> JSONValue {
    var attributes = span.attributes
    attributes[Span.typeKey] = JSONText.string(span.type.rawValue)
    attributes[Span.traceRequestIDKey] = JSONText.string(span.traceID)
    var members: [(key: String, value: JSONValue)] = [
      ("traceId", .string(String(span.traceID.dropFirst(3)))),
      ("spanId", .string(span.spanID)),
    ]
    if let parent = span.parentSpanID { members.append(("parentSpanId", .string(parent))) }
    members += [
      ("name", .string(span.name)),
      ("kind", .integer(1)),
      ("startTimeUnixNano", .string(String(span.startTime))),
      ("endTimeUnixNano", .string(String(span.endTime ?? 0))),
      ("attributes", keyValues(attributes)),
      ("events", .array(span.events.map { event in
        .object([
          ("timeUnixNano", .string(String(event.time))),
          ("name", .string(event.name)),
          ("attributes", keyValues(event.attributes)),
        ])
      })),
      ("status", .object([("code", .integer(statusCode(span.status.code))), ("message", .string(span.status.message))])),
    ]
    return .object(members)
  }

  /// OTel `KeyValue`s for attributes whose values are JSON texts.
  private static func keyValues(_ attributes: [String: String]) -> JSONValue {
    .array(attributes.sorted { $0.key < $1.key }.map { key, text in
      .object([("key", .string(key)), ("value", anyValue(JSONValue.parse(text) ?? .string(text)))])
    })
  }

  /// The OTel `AnyValue` (OTLP JSON spelling) of a JSON value.
  private static func anyValue(_ value: JSONValue) -> JSONValue {
    switch value {
    case .null: .object([])
    case .bool(let flag): .object([("boolValue", .bool(flag))])
    case .integer(let number): .object([("intValue", .string(String(number)))])
    case .double(let number): .object([("doubleValue", .double(number))])
    case .string(let text): .object([("stringValue", .string(text))])
    case .array(let elements): .object([("arrayValue", .object([("values", .array(elements.map(anyValue)))]))])
    case .object(let members):
      .object([("kvlistValue", .object([("values", .array(members.map { .object([("key", .string($0.key)), ("value", anyValue($0.value))]) }))]))])
    }
  }

  private static func statusCode(_ code: Span.Status.Code) -> Int64 {
    switch code {
    case .ok: 1
    case .error: 2
    default: 0
    }
  }

  /// The spans of a `Trace` message's `spans`, root spans first, then by start time.
  static func spans(from json: [JSONValue], traceID: String) -> [Span] {
    let spans = json.compactMap { element -> Span? in
      guard let spanID = element["span_id"]?.stringValue.flatMap(hex(fromBase64:)) else { return nil }
      var attributes: [String: String] = [:]
      for attribute in element["attributes"]?.elements ?? [] {
        if let key = attribute["key"]?.stringValue { attributes[key] = jsonText(attribute["value"]) }
      }
      let type = attributes[Span.typeKey].flatMap { JSONValue.parse($0)?.stringValue } ?? Span.SpanType.unknown.rawValue
      let status = element["status"]
      var span = Span(
        traceID: traceID,
        spanID: spanID,
        parentSpanID: element["parent_span_id"]?.nonEmptyString.flatMap(hex(fromBase64:)),
        name: element["name"]?.stringValue ?? "",
        type: Span.SpanType(rawValue: type),
        status: Span.Status(statusCode(status?["code"]), message: status?["message"]?.stringValue ?? ""),
        startTime: element["start_time_unix_nano"]?.int64Value ?? 0,
        endTime: element["end_time_unix_nano"]?.int64Value.flatMap { $0 == 0 ? nil : $0 })
      span.attributes = attributes
      span.events = (element["events"]?.elements ?? []).map { event in
        var eventAttributes: [String: String] = [:]
        for attribute in event["attributes"]?.elements ?? [] {
          if let key = attribute["key"]?.stringValue { eventAttributes[key] = jsonText(attribute["value"]) }
        }
        return Span.Event(
          name: event["name"]?.stringValue ?? "", time: event["time_unix_nano"]?.int64Value ?? 0,
          attributes: eventAttributes)
      }
      return span
    }
    return spans.sorted {
      ($0.parentSpanID == nil ? 0 : 1, $0.startTime, $0.spanID) < ($1.parentSpanID == nil ? 0 : 1, $1.startTime, $1.spanID)
    }
  }

  /// The JSON text (as Python writes it) of an OTel `AnyValue` in MLflow's snake_case JSON.
  private static func jsonText(_ value: JSONValue?) -> String {
    plain(value).pythonJSON
  }

  private static func plain(_ value: JSONValue?) -> JSONValue {
    guard let value else { return .null }
    if let text = value["string_value"]?.stringValue { return .string(text) }
    if case .bool(let flag)? = value["bool_value"] { return .bool(flag) }
    if let number = value["int_value"]?.int64Value { return .integer(number) }
    if let number = value["double_value"] {
      switch number {
      case .double, .integer: return number.int64Value.map { .double(Double($0)) } ?? number
      default: return number
      }
    }
    if let array = value["array_value"] { return .array((array["values"]?.elements ?? []).map { plain($0) }) }
    if let list = value["kvlist_value"] {
      return .object((list["values"]?.elements ?? []).map { ($0["key"]?.stringValue ?? "", plain($0["value"])) })
    }
    if let bytes = value["bytes_value"]?.stringValue { return .string(bytes) }
    return .null
  }

  private static func statusCode(_ json: JSONValue?) -> Span.Status.Code {
    switch json?.stringValue ?? json?.int64Value.map(String.init) {
    case "STATUS_CODE_OK"?, "1"?: .ok
    case "STATUS_CODE_ERROR"?, "2"?: .error
    default: .unset
    }
  }

  /// Lowercase hex of base64-encoded bytes (OTel IDs in protobuf JSON).
  private static func hex(fromBase64 text: String) -> String? {
    guard let data = Data(base64Encoded: text) else { return nil }
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: data.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
  }
}
