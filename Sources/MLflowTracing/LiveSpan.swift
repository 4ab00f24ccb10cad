public import MLflowStore
import Synchronization

/// A span that is running: one timed step of a trace. Record what the step took and produced,
/// then end it (``trace(_:type:inputs:attributes:_:)`` ends its span for you).
///
/// All methods are safe to call from any task or thread. After ``end(status:)``, changes are
/// ignored.
///
/// # Usage
/// ```swift
/// let span = startSpan("retrieve", type: .retriever, inputs: ["query": query])
/// let documents = index.search(query)
/// span.setOutputs(documents.map(\.title))
/// span.end()
/// ```
public final class LiveSpan: Sendable {
  /// The trace this span belongs to (`tr-` and 32 hex digits).
  public let traceID: String
  /// This span's ID (16 hex digits).
  public let spanID: String
  /// The enclosing span's ID; `nil` for the root span.
  public let parentSpanID: String?
  /// The step's name.
  public let name: String

  let recorder: TraceRecorder
  private let state: Mutex<State>

  struct State: Sendable {
    var type: Span.SpanType
    var startTime: Int64
    var endTime: Int64?
    var status = Span.Status(.unset)
    var attributes: [String: String]
    var events: [Span.Event] = []
    var tokenUsage: TokenUsage?
  }

  init(
    name: String, type: Span.SpanType, parentSpanID: String?, recorder: TraceRecorder, attributes: [String: String]
  ) {
    self.traceID = recorder.traceID
    self.spanID = Identifiers.randomHex(bytes: 8)
    self.parentSpanID = parentSpanID
    self.name = name
    self.recorder = recorder
    var attributes = attributes
    attributes.reserveCapacity(attributes.count + 2)  // inputs and outputs, without growing twice
    state = Mutex(State(type: type, startTime: TracingClock.nowNanoseconds(), attributes: attributes))
  }

  /// The innermost span of the current task (set by ``trace(_:type:inputs:attributes:_:)``
  /// and ``withSpan(_:_:)``), or `nil`.
  public static var current: LiveSpan? { SpanScope.current }

  /// Records the step's inputs (`mlflow.spanInputs`); for the root span they are also the
  /// trace's request preview.
  public func setInputs(_ inputs: some Encodable) {
    setAttributeJSON(Span.inputsKey, SpanValue.json(inputs))
  }

  /// Records the step's outputs (`mlflow.spanOutputs`); for the root span they are also the
  /// trace's response preview.
  public func setOutputs(_ outputs: some Encodable) {
    setAttributeJSON(Span.outputsKey, SpanValue.json(outputs))
  }

  /// Records `outputs` unless outputs were already set: the return value of a traced closure.
  func setOutputsUnlessSet(_ outputs: some Encodable) {
    guard state.withLock({ $0.attributes[Span.outputsKey] == nil }) else { return }
    setOutputs(outputs)
  }

  /// Sets one attribute; the value is stored as JSON, as MLflow stores attributes.
  public func setAttribute(_ key: String, _ value: some Encodable) {
    setAttributeJSON(key, SpanValue.json(value))
  }

  /// Records a chat-model call's token usage (`mlflow.chat.tokenUsage`); the trace's total
  /// (`mlflow.trace.tokenUsage`) sums its spans'.
  public func setTokenUsage(_ usage: TokenUsage) {
    let json = SpanValue.json(usage)
    state.withLock { state in
      guard state.endTime == nil else { return }
      state.attributes[TokenUsage.spanAttributeKey] = json
      state.tokenUsage = usage
    }
  }

  /// Changes the span's type, e.g. once a step turns out to be a tool call.
  public func setType(_ type: Span.SpanType) {
    state.withLock { state in
      if state.endTime == nil { state.type = type }
    }
  }

  /// Records an instant event, e.g. a retry. Attribute values are stored as JSON strings.
  public func addEvent(_ name: String, attributes: [String: String] = [:]) {
    let event = Span.Event(
      name: name, time: TracingClock.nowNanoseconds(), attributes: attributes.mapValues(JSONText.string))
    state.withLock { state in
      if state.endTime == nil { state.events.append(event) }
    }
  }

  /// Marks the span `ERROR` with the error's description and adds an `exception` event, as
  /// OpenTelemetry and MLflow record exceptions. An error in the root span makes the trace's
  /// state `ERROR`.
  public func recordError(_ error: any Error) {
    let message = String(describing: error)
    let event = Span.Event(
      name: "exception", time: TracingClock.nowNanoseconds(),
      attributes: [
        "exception.type": JSONText.string(String(reflecting: type(of: error))),
        "exception.message": JSONText.string(message),
      ])
    state.withLock { state in
      guard state.endTime == nil else { return }
      state.events.append(event)
      state.status = Span.Status(.error, message: message)
    }
  }

  /// Sets how the span ended; without a call, a span that ends normally is `OK`.
  public func setStatus(_ status: Span.Status) {
    state.withLock { state in
      if state.endTime == nil { state.status = status }
    }
  }

  /// Sets a tag on the whole trace (e.g. `environment: staging`); tags can be edited later in
  /// MLflow.
  public func setTraceTag(_ key: String, _ value: String) {
    recorder.setTag(key, value)
  }

  /// Sets metadata on the whole trace (e.g. `mlflow.trace.session`, `mlflow.trace.user`).
  /// Values longer than 250 characters are truncated, as MLflow does.
  public func setTraceMetadata(_ key: String, _ value: String) {
    recorder.setMetadata(key, value)
  }

  /// Ends the span now. Ending the root span completes the trace and hands it to the exporter;
  /// spans still open then are closed at the same instant. Calling it again does nothing.
  ///
  /// - Parameter status: How it ended; by default what ``setStatus(_:)`` or
  ///   ``recordError(_:)`` set, else `OK`.
  public func end(status: Span.Status? = nil) {
    let ended = state.withLock { state -> Bool in
      guard state.endTime == nil else { return false }
      state.endTime = TracingClock.nowNanoseconds()
      if let status { state.status = status } else if state.status.code == .unset { state.status = .ok }
      return true
    }
    if ended && parentSpanID == nil { recorder.finish(root: self) }
  }

  /// The span as MLflow stores it; a span still open is closed at `closingTime` with status
  /// `UNSET`.
  func snapshot(closingAt closingTime: Int64) -> (span: Span, tokenUsage: TokenUsage?) {
    state.withLock { state in
      (
        Span(
          traceID: traceID, spanID: spanID, parentSpanID: parentSpanID, name: name, type: state.type,
          status: state.status, startTime: state.startTime, endTime: state.endTime ?? closingTime,
          attributes: state.attributes, events: state.events),
        state.tokenUsage
      )
    }
  }

  private func setAttributeJSON(_ key: String, _ json: String) {
    state.withLock { state in
      if state.endTime == nil { state.attributes[key] = json }
    }
  }
}

/// The task-local innermost span.
enum SpanScope {
  @TaskLocal static var current: LiveSpan?
}
