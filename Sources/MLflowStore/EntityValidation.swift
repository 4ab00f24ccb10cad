/// What MLflow accepts for names, IDs and traces, checked before anything is written, so every
/// store refuses the same values with the same errors.
package enum EntityValidation {
  /// MLflow's longest stored trace preview (OSS).
  package static let previewLimit = 1000

  /// Checks a logged model name as MLflow does: not empty, none of `/ : . % " '`.
  package static func validate(modelName name: String) throws(MLflowStoreError) {
    let forbidden: Set<Character> = ["/", ":", ".", "%", "\"", "'"]
    guard !name.isEmpty, !name.contains(where: forbidden.contains) else {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "invalid model name '\(name)': it must be non-empty and contain none of / : . % \" '")
    }
  }

  /// Checks an experiment name: 1 to 500 characters.
  package static func validate(experimentName name: String) throws(MLflowStoreError) {
    guard !name.isEmpty, name.unicodeScalars.count <= 500 else {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "invalid experiment name '\(name)': it must have 1 to 500 characters")
    }
  }

  /// An experiment ID as the integer MLflow stores.
  ///
  /// - Throws: `.invalidArgument` when it is not an integer.
  package static func experimentNumber(_ id: String) throws(MLflowStoreError) -> Int64 {
    guard let number = Int64(id) else {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "invalid experiment ID '\(id)': MLflow experiment IDs are integers such as \"0\"")
    }
    return number
  }

  /// Checks what MLflow would refuse or misread in a trace: IDs, spans of the trace, JSON
  /// attribute values.
  package static func validate(_ trace: Trace) throws(MLflowStoreError) {
    let traceID = trace.info.traceID
    guard Identifiers.isTraceID(traceID) else {
      throw invalid("the trace ID '\(traceID)' is not `tr-` followed by 32 lowercase hex digits; use TraceInfo.newTraceID()")
    }
    guard !trace.spans.isEmpty else {
      throw invalid("trace \(traceID) has no spans; log at least its root span")
    }
    if let name = trace.info.tags[TraceInfo.traceNameKey], name.unicodeScalars.count > 4096 {
      throw invalid("the trace name of \(traceID) has \(name.unicodeScalars.count) characters; MLflow allows at most 4096")
    }
    var seen: Set<String> = []
    for span in trace.spans {
      guard span.traceID == traceID else {
        throw invalid("span '\(span.name)' belongs to trace \(span.traceID), not \(traceID)")
      }
      guard Identifiers.isLowercaseHex(span.spanID, digits: 16) else {
        throw invalid("the span ID '\(span.spanID)' of span '\(span.name)' is not 16 lowercase hex digits; use Span.newSpanID()")
      }
      if let parent = span.parentSpanID, !Identifiers.isLowercaseHex(parent, digits: 16) {
        throw invalid("the parent span ID '\(parent)' of span '\(span.name)' is not 16 lowercase hex digits")
      }
      guard seen.insert(span.spanID).inserted else {
        throw invalid("two spans of trace \(traceID) have the ID \(span.spanID)")
      }
      for (key, value) in span.attributes where !JSONText.isValid(value) {
        throw invalid("attribute '\(key)' of span '\(span.name)' is not a JSON text; encode strings with JSONText.string(_:)")
      }
      for event in span.events {
        for (key, value) in event.attributes where !JSONText.isValid(value) {
          throw invalid("attribute '\(key)' of event '\(event.name)' in span '\(span.name)' is not a JSON text")
        }
      }
    }
  }

  /// A preview cut to MLflow's limit the way MLflow cuts it (in code points, `...` appended).
  package static func preview(_ text: String) -> String {
    text.unicodeScalars.count <= previewLimit
      ? text : String(String.UnicodeScalarView(text.unicodeScalars.prefix(previewLimit - 3))) + "..."
  }

  private static func invalid(_ message: String) -> MLflowStoreError {
    MLflowStoreError(code: .invalidArgument, message: message)
  }
}
