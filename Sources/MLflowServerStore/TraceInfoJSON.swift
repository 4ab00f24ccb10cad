import MLflowStore

/// MLflow's REST form of trace info (`TraceInfoV3`): snake_case fields, an RFC 3339
/// `request_time`, a protobuf duration `execution_duration`.
enum TraceInfoJSON {
  /// The `TraceInfoV3` message for `info`.
  static func json(_ info: TraceInfo) -> JSONValue {
    var members: [(key: String, value: JSONValue)] = [
      ("trace_id", .string(info.traceID)),
      ("trace_location", location(experimentID: info.experimentID)),
      ("request_time", .string(ProtoTime.timestamp(milliseconds: info.requestTime))),
    ]
    if let duration = info.executionDuration {
      members.append(("execution_duration", .string(ProtoTime.duration(milliseconds: duration))))
    }
    members.append(("state", .string(info.state.rawValue)))
    if let preview = info.requestPreview { members.append(("request_preview", .string(preview))) }
    if let preview = info.responsePreview { members.append(("response_preview", .string(preview))) }
    if let client = info.clientRequestID { members.append(("client_request_id", .string(client))) }
    members.append(("trace_metadata", .stringObject(info.metadata)))
    members.append(("tags", .stringObject(info.tags)))
    return .object(members)
  }

  /// The trace info a `TraceInfoV3` message describes, or `nil` when it has no trace ID.
  static func info(from json: JSONValue) -> TraceInfo? {
    guard let traceID = json["trace_id"]?.nonEmptyString else { return nil }
    return TraceInfo(
      traceID: traceID,
      experimentID: json["trace_location"]?["mlflow_experiment"]?["experiment_id"]?.stringValue ?? "",
      requestTime: json["request_time"]?.stringValue.flatMap(ProtoTime.milliseconds(timestamp:)) ?? 0,
      executionDuration: json["execution_duration"]?.stringValue.flatMap(ProtoTime.milliseconds(duration:)),
      state: TraceState(rawValue: json["state"]?.nonEmptyString ?? TraceState.unspecified.rawValue),
      requestPreview: json["request_preview"]?.stringValue,
      responsePreview: json["response_preview"]?.stringValue,
      clientRequestID: json["client_request_id"]?.nonEmptyString,
      metadata: json["trace_metadata"]?.stringMap ?? [:],
      tags: json["tags"]?.stringMap ?? [:])
  }

  /// A `TraceLocation` of an experiment.
  static func location(experimentID: String) -> JSONValue {
    .object([
      ("type", .string("MLFLOW_EXPERIMENT")),
      ("mlflow_experiment", .object([("experiment_id", .string(experimentID))])),
    ])
  }
}
