import MLflowStore
import Synchronization

/// A trace being recorded: its spans, tags and metadata until the root span ends, when it
/// becomes MLflow's ``Trace`` and goes to the exporter.
final class TraceRecorder: Sendable {
  let traceID: String
  let destination: TraceDestination
  private let state: Mutex<State>

  struct State: Sendable {
    var spans: [LiveSpan] = []
    var tags: [String: String] = [:]
    var metadata: [String: String] = [:]
    var finished = false
  }

  init(destination: TraceDestination) {
    traceID = TraceInfo.newTraceID()
    self.destination = destination
    state = Mutex(State())
  }

  /// `false` once the root span has ended: later spans start a trace of their own.
  var isOpen: Bool { state.withLock { !$0.finished } }

  /// Adds a span; `false` when the trace has already finished.
  func add(_ span: LiveSpan) -> Bool {
    state.withLock { state in
      guard !state.finished else { return false }
      state.spans.append(span)
      return true
    }
  }

  func setTag(_ key: String, _ value: String) {
    state.withLock { state in
      if !state.finished { state.tags[key] = value }
    }
  }

  func setMetadata(_ key: String, _ value: String) {
    state.withLock { state in
      if !state.finished { state.metadata[key] = value }
    }
  }

  /// Completes the trace when its root span ends and hands it to the exporter.
  ///
  /// The recorder lets go of its spans then: each span refers to its recorder, so keeping them
  /// would keep every finished trace alive for good.
  func finish(root: LiveSpan) {
    guard let (spans, tags, userMetadata) = state.withLock({ state -> ([LiveSpan], [String: String], [String: String])? in
      guard !state.finished else { return nil }
      state.finished = true
      defer { state = State(finished: true) }
      return (state.spans, state.tags, state.metadata)
    }) else { return }
    TraceExporter.shared.export(assemble(root: root, spans: spans, tags: tags, userMetadata: userMetadata), to: destination)
  }

  /// MLflow's trace: info with previews, source metadata, the `mlflow.modelId` link, token
  /// usage and the trace name tag; the root span first, then the others by start time.
  func assemble(root: LiveSpan, spans: [LiveSpan], tags: [String: String], userMetadata: [String: String]) -> Trace {
    let (rootSpan, rootUsage) = root.snapshot(closingAt: TracingClock.nowNanoseconds())
    let closingTime = rootSpan.endTime ?? rootSpan.startTime
    var snapshots: [Span] = []
    var usage = rootUsage
    for span in spans where span !== root {
      let (snapshot, spanUsage) = span.snapshot(closingAt: closingTime)
      snapshots.append(snapshot)
      if let spanUsage { usage = usage.map { $0 + spanUsage } ?? spanUsage }
    }
    snapshots.sort { $0.startTime < $1.startTime }

    var metadata = destination.sourceMetadata
    if let inputs = rootSpan.inputs { metadata["mlflow.traceInputs"] = SpanValue.truncated(inputs, to: 250) }
    if let outputs = rootSpan.outputs { metadata["mlflow.traceOutputs"] = SpanValue.truncated(outputs, to: 250) }
    if let usage { metadata[TokenUsage.traceMetadataKey] = SpanValue.json(usage) }
    for (key, value) in userMetadata { metadata[key] = SpanValue.truncated(value, to: 250) }
    var traceTags = tags
    traceTags[TraceInfo.traceNameKey] = root.name

    let info = TraceInfo(
      traceID: traceID, experimentID: destination.experimentID ?? "",
      requestTime: rootSpan.startTime / 1_000_000,
      executionDuration: (closingTime - rootSpan.startTime) / 1_000_000,
      state: rootSpan.status.code == .error ? .error : .ok,
      requestPreview: rootSpan.inputs.map { SpanValue.truncated($0, to: 1000) },
      responsePreview: rootSpan.outputs.map { SpanValue.truncated($0, to: 1000) },
      metadata: metadata, tags: traceTags)
    return Trace(info: info, spans: [rootSpan] + snapshots)
  }
}
