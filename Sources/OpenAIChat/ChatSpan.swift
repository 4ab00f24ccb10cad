import MLflowStore
import MLflowTracing

/// What a chat call records in MLflow, the way Python MLflow 3.17.2's OpenAI autolog records
/// `client.chat.completions.create(…)`, so the MLflow UI renders the span as a chat:
///
/// - a `CHAT_MODEL` span named `Completions` (autolog names it after the OpenAI SDK class);
/// - inputs: the request body, `{"model": …, "messages": […]}`;
/// - attributes: the request arguments other than the messages (`model`),
///   `mlflow.message.format` = `openai` (how the UI parses inputs and outputs),
///   `mlflow.llm.model` (the model the response names, else the one asked for) and
///   `mlflow.llm.provider` = `openai` (autolog leaves it to MLflow's cost lookup; we set it);
/// - outputs: the whole response JSON (`choices[].message`, `usage`, …);
/// - token usage: `mlflow.chat.tokenUsage`, summed into the trace's `mlflow.trace.tokenUsage`;
/// - on failure: status `ERROR` with an `exception` event carrying ``ChatError``'s description.
enum ChatSpan {
  static let name = "Completions"
  static let messageFormatKey = "mlflow.message.format"
  static let modelKey = "mlflow.llm.model"
  static let providerKey = "mlflow.llm.provider"
  static let provider = "openai"

  /// Starts the span for `request`, nested in the current task's span (or as a new trace).
  static func start(_ request: ChatRequest) -> LiveSpan {
    startSpan(
      name, type: .chatModel, inputs: request,
      attributes: [
        "model": request.model,
        messageFormatKey: provider,
        modelKey: request.model,
        providerKey: provider,
      ])
  }

  /// Records the answer and ends the span.
  static func finish(_ span: LiveSpan, with completion: ChatCompletion) {
    span.setOutputs(completion.response)
    if let model = completion.model, !model.isEmpty { span.setAttribute(modelKey, model) }
    if let usage = completion.usage { span.setTokenUsage(usage.tokenUsage) }
    span.end()
  }

  /// Records the failure and ends the span.
  static func fail(_ span: LiveSpan, with error: ChatError) {
    span.recordError(error)
    span.end()
  }
}
