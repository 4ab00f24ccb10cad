public import MLflowStore

/// Runs `body` as a span named `name`: nested inside the current task's span, or as the root of
/// a new trace. The span ends when `body` returns; a thrown error is recorded (the span, and
/// for a root span the trace, become `ERROR`) and rethrown. A trace started while a Git version
/// is active carries its model ID (`mlflow.modelId`) and goes to its store, off the caller's
/// path.
///
/// # Usage
/// ```swift
/// let answer = try await trace("answer", type: .agent, inputs: ["question": question]) { span in
///   let reply = try await chat.complete(messages)
///   span.setOutputs(reply.text)
///   return reply.text
/// }
/// ```
///
/// - Parameters:
///   - name: The step's name; the root span's name is the trace's name.
///   - type: The kind of step; MLflow's UI renders spans by type (`CHAT_MODEL`, `TOOL`, …).
///   - inputs: What the step takes, stored as JSON (`mlflow.spanInputs`).
///   - attributes: More attributes, stored as JSON strings.
///   - isolation: The actor `body` runs on: the caller's (`#isolation`), so a `@MainActor`
///     caller's closure runs on the main actor with no hop, and may use its non-`Sendable` state.
///   - body: The step; it may set outputs, usage, events or attributes on its span.
public func trace<Result>(
  _ name: String,
  type: Span.SpanType = .unknown,
  inputs: (any Encodable & Sendable)? = nil,
  attributes: [String: String] = [:],
  isolation: isolated (any Actor)? = #isolation,
  _ body: (LiveSpan) async throws -> Result
) async rethrows -> Result {
  try await runSpan(startSpan(name, type: type, inputs: inputs, attributes: attributes), body)
}

/// Runs `body` as a span and records what it returns as the span's outputs (unless `body` set
/// them), as Python's `@mlflow.trace` does; see ``trace(_:type:inputs:attributes:_:)``.
///
/// # Usage
/// ```swift
/// let documents = try await trace("retrieve", type: .retriever, inputs: query) { _ in
///   try await index.search(query)          // [Document], Encodable: stored as the outputs
/// }
/// ```
public func trace<Result: Encodable>(
  _ name: String,
  type: Span.SpanType = .unknown,
  inputs: (any Encodable & Sendable)? = nil,
  attributes: [String: String] = [:],
  isolation: isolated (any Actor)? = #isolation,
  _ body: (LiveSpan) async throws -> Result
) async rethrows -> Result {
  try await runSpan(startSpan(name, type: type, inputs: inputs, attributes: attributes)) { span in
    let result = try await body(span)
    span.setOutputsUnlessSet(result)
    return result
  }
}

/// Runs synchronous `body` as a span; see the async ``trace(_:type:inputs:attributes:_:)``.
///
/// # Usage
/// ```swift
/// let prompt = trace("build_prompt", type: .parser, inputs: question) { span in
///   template.render(question)
/// }
/// ```
public func trace<Result>(
  _ name: String,
  type: Span.SpanType = .unknown,
  inputs: (any Encodable & Sendable)? = nil,
  attributes: [String: String] = [:],
  _ body: (LiveSpan) throws -> Result
) rethrows -> Result {
  try runSpan(startSpan(name, type: type, inputs: inputs, attributes: attributes), body)
}

/// Runs synchronous `body` as a span and records what it returns as the span's outputs
/// (unless `body` set them).
///
/// # Usage
/// ```swift
/// let prompt = trace("build_prompt", type: .parser, inputs: question) { _ in template.render(question) }
/// ```
public func trace<Result: Encodable>(
  _ name: String,
  type: Span.SpanType = .unknown,
  inputs: (any Encodable & Sendable)? = nil,
  attributes: [String: String] = [:],
  _ body: (LiveSpan) throws -> Result
) rethrows -> Result {
  try runSpan(startSpan(name, type: type, inputs: inputs, attributes: attributes)) { span in
    let result = try body(span)
    span.setOutputsUnlessSet(result)
    return result
  }
}

/// Starts a span you end yourself, for code that cannot wrap the step in a closure (callbacks,
/// streams). It does not become the task's current span; use ``withSpan(_:_:)`` to nest
/// others inside it.
///
/// # Usage
/// ```swift
/// let span = startSpan("stream", type: .chatModel, inputs: request)
/// for try await chunk in stream { text += chunk }
/// span.setOutputs(text)
/// span.end()
/// ```
///
/// - Parameter parent: The enclosing span; by default the current task's span. With none (or
///   one whose trace has finished) the span is the root of a new trace.
public func startSpan(
  _ name: String,
  type: Span.SpanType = .unknown,
  inputs: (any Encodable & Sendable)? = nil,
  attributes: [String: String] = [:],
  parent: LiveSpan? = LiveSpan.current
) -> LiveSpan {
  let encodedAttributes = attributes.mapValues(JSONText.string)
  if let parent, parent.recorder.isOpen {
    let span = LiveSpan(
      name: name, type: type, parentSpanID: parent.spanID, recorder: parent.recorder, attributes: encodedAttributes)
    if parent.recorder.add(span) {
      if let inputs { span.setInputs(inputs) }
      return span
    }
  }
  let recorder = TraceRecorder(destination: TraceDestination.current())
  let span = LiveSpan(name: name, type: type, parentSpanID: nil, recorder: recorder, attributes: encodedAttributes)
  _ = recorder.add(span)
  if let inputs { span.setInputs(inputs) }
  return span
}

/// Runs `body` with `span` as the current task's span, so spans started inside nest under it;
/// `body` runs on the caller's actor (`isolation`).
public func withSpan<Result>(
  _ span: LiveSpan, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
) async rethrows -> Result {
  try await SpanScope.$current.withValue(span) { try await body() }
}

/// Runs synchronous `body` with `span` as the current task's span.
public func withSpan<Result>(_ span: LiveSpan, _ body: () throws -> Result) rethrows -> Result {
  try SpanScope.$current.withValue(span) { try body() }
}

/// Runs `body` inside `span` (the task's current span meanwhile), then ends it; a thrown error
/// is recorded on the span and rethrown.
private func runSpan<Result>(
  _ span: LiveSpan, isolation: isolated (any Actor)? = #isolation, _ body: (LiveSpan) async throws -> Result
) async rethrows -> Result {
  do {
    let result = try await SpanScope.$current.withValue(span) { try await body(span) }
    span.end()
    return result
  } catch {
    span.recordError(error)
    span.end()
    throw error
  }
}

private func runSpan<Result>(_ span: LiveSpan, _ body: (LiveSpan) throws -> Result) rethrows -> Result {
  do {
    let result = try SpanScope.$current.withValue(span) { try body(span) }
    span.end()
    return result
  } catch {
    span.recordError(error)
    span.end()
    throw error
  }
}
