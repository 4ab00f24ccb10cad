/// The summary of a trace: where it belongs, when it ran, how it ended, and its metadata and
/// tags. Mirrors Python's `mlflow.entities.TraceInfo` (V3).
///
/// A trace is linked to a version (a logged model) by the metadata key
/// ``TraceInfo/modelIDKey`` (`mlflow.modelId`); `mlflow.search_traces(model_id=…)` and the
/// UI's version column read it.
///
/// # Usage
/// ```swift
/// var info = TraceInfo(traceID: TraceInfo.newTraceID(), experimentID: "0", requestTime: nowMillis)
/// info.metadata[TraceInfo.modelIDKey] = model.modelID
/// info.requestPreview = #"{"question": "What is MLflow?"}"#
/// ```
public struct TraceInfo: Sendable, Hashable, Codable {
  /// `tr-` followed by 32 lowercase hex digits: the OpenTelemetry trace ID.
  public var traceID: String
  /// The experiment the trace belongs to.
  public var experimentID: String
  /// When the trace started, in milliseconds since the Unix epoch.
  public var requestTime: Int64
  /// How long it ran, in milliseconds.
  public var executionDuration: Int64?
  /// How it ended.
  public var state: TraceState
  /// The request as shown in trace lists (at most 1000 characters are kept).
  public var requestPreview: String?
  /// The response as shown in trace lists (at most 1000 characters are kept).
  public var responsePreview: String?
  /// An ID the application chose for the request, if any.
  public var clientRequestID: String?
  /// Immutable facts about the trace, e.g. `mlflow.modelId`, `mlflow.user`,
  /// `mlflow.trace_schema.version` (stored in `trace_request_metadata`).
  public var metadata: [String: String]
  /// Mutable labels, e.g. `mlflow.traceName`. Read back, they include the system tags the store
  /// adds (`mlflow.artifactLocation`, `mlflow.trace.spansLocation`).
  public var tags: [String: String]

  /// Creates trace info from its fields; the state defaults to `OK`.
  package init(
    traceID: String,
    experimentID: String,
    requestTime: Int64,
    executionDuration: Int64? = nil,
    state: TraceState = .ok,
    requestPreview: String? = nil,
    responsePreview: String? = nil,
    clientRequestID: String? = nil,
    metadata: [String: String] = [:],
    tags: [String: String] = [:]
  ) {
    self.traceID = traceID
    self.experimentID = experimentID
    self.requestTime = requestTime
    self.executionDuration = executionDuration
    self.state = state
    self.requestPreview = requestPreview
    self.responsePreview = responsePreview
    self.clientRequestID = clientRequestID
    self.metadata = metadata
    self.tags = tags
  }

  /// The metadata key that links a trace to a logged model.
  package static let modelIDKey = "mlflow.modelId"
  /// The tag key holding the trace's name (the root span's name).
  package static let traceNameKey = "mlflow.traceName"
  /// The metadata key of the trace schema version; the store sets it to `"3"` when absent.
  package static let schemaVersionKey = "mlflow.trace_schema.version"

  /// A new trace ID: `tr-` and 32 lowercase hex digits, the first 12 the current time in
  /// milliseconds and the other 20 random. IDs made one after another sort in time order, so
  /// the indexes MLflow keeps by trace ID (`trace_info`, its tags, metadata and spans) grow at
  /// their end rather than at random places: storing a trace costs the same in a database of
  /// a million traces as in an empty one.
  package static func newTraceID() -> String { "tr-" + Identifiers.timeOrderedHex(milliseconds: Clock.nowMilliseconds()) }
}
