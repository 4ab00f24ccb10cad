import Foundation
import MLflowStore

/// A trace like the one Python's `@mlflow.trace` records for a small chat app: a root `CHAIN`
/// span `my_app` and a nested `CHAT_MODEL` span `llm`, linked to a logged model.
enum SampleTrace {
  static func make(modelID: String?, experimentID: String = "0", question: String = "What is MLflow?") -> Trace {
    let traceID = TraceInfo.newTraceID()
    let start = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
    let rootID = Span.newSpanID()
    let inputs = "{\"q\": \(JSONText.string(question))}"
    let messages = "{\"messages\": [{\"role\": \"user\", \"content\": \(JSONText.string(question))}]}"
    let outputs = #"{"choices": [{"message": {"role": "assistant", "content": "hi"}}]}"#
    let root = Span(
      traceID: traceID, spanID: rootID, name: "my_app", type: .chain,
      startTime: start, endTime: start + 21_000_000, inputs: inputs, outputs: outputs,
      attributes: ["mlflow.spanFunctionName": JSONText.string("my_app")])
    let child = Span(
      traceID: traceID, spanID: Span.newSpanID(), parentSpanID: rootID, name: "llm", type: .chatModel,
      startTime: start + 1_000_000, endTime: start + 20_000_000, inputs: messages, outputs: outputs,
      attributes: ["mlflow.spanFunctionName": JSONText.string("llm"), "mlflow.llm.model": JSONText.string("gpt-x")],
      events: [Span.Event(name: "retry", time: start + 2_000_000, attributes: ["attempt": "2", "reason": "\"rate limit\""])])
    var info = TraceInfo(
      traceID: traceID, experimentID: experimentID, requestTime: start / 1_000_000, executionDuration: 21,
      state: .ok, requestPreview: inputs, responsePreview: "hi",
      metadata: ["mlflow.user": "swift", "mlflow.source.type": "LOCAL"],
      tags: [TraceInfo.traceNameKey: "my_app"])
    if let modelID { info.metadata[TraceInfo.modelIDKey] = modelID }
    return Trace(info: info, spans: [root, child])
  }
}

/// The base64 text of the bytes `hex` spells: how span content keeps trace and span IDs.
func base64(ofHex hex: some StringProtocol) -> String {
  var bytes: [UInt8] = []
  var index = hex.startIndex
  while index < hex.endIndex {
    let next = hex.index(index, offsetBy: 2)
    bytes.append(UInt8(hex[index..<next], radix: 16)!)
    index = next
  }
  return Data(bytes).base64EncodedString()
}
