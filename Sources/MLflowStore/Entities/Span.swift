/// One timed step of a trace, as MLflow stores it (a `spans` row and its JSON `content`).
///
/// Attribute values are **JSON texts**, as MLflow keeps them: a string attribute is stored with
/// its quotes (`"\"CHAT_MODEL\""`), a dictionary as its JSON (`{"q": "hi"}`). Use
/// ``JSONText/string(_:)`` to encode a plain string. The store adds `mlflow.traceRequestId` and
/// `mlflow.spanType` from ``traceID`` and ``type``.
///
/// # Usage
/// ```swift
/// let root = Span(
///   traceID: traceID, spanID: Span.newSpanID(), name: "my_app", type: .chain,
///   startTime: start, endTime: end,
///   inputs: #"{"q": "What is MLflow?"}"#, outputs: JSONText.string("hi"))
/// ```
public struct Span: Sendable, Hashable, Codable {
  /// The kind of step, e.g. `CHAT_MODEL`; MLflow's UI picks icons and renderers by it.
  public struct SpanType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// MLflow's spelling, e.g. `CHAT_MODEL`.
    public let rawValue: String
    /// A span type by MLflow's spelling, one of those below or a custom one.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// ``rawValue``.
    public var description: String { rawValue }

    // MLflow's predefined span types (`mlflow.entities.SpanType`).
    /// A call to a language model with a prompt.
    public static let llm = SpanType(rawValue: "LLM")
    /// A sequence of steps.
    public static let chain = SpanType(rawValue: "CHAIN")
    /// An agent's turn.
    public static let agent = SpanType(rawValue: "AGENT")
    /// A tool call.
    public static let tool = SpanType(rawValue: "TOOL")
    /// A call to a chat model with messages.
    public static let chatModel = SpanType(rawValue: "CHAT_MODEL")
    /// A retrieval of documents.
    public static let retriever = SpanType(rawValue: "RETRIEVER")
    /// Parsing a model's output.
    public static let parser = SpanType(rawValue: "PARSER")
    /// Computing embeddings.
    public static let embedding = SpanType(rawValue: "EMBEDDING")
    /// Reranking retrieved documents.
    public static let reranker = SpanType(rawValue: "RERANKER")
    /// Reading or writing an agent's memory.
    public static let memory = SpanType(rawValue: "MEMORY")
    /// A workflow's run.
    public static let workflow = SpanType(rawValue: "WORKFLOW")
    /// One task of a workflow.
    public static let task = SpanType(rawValue: "TASK")
    /// A guardrail's check.
    public static let guardrail = SpanType(rawValue: "GUARDRAIL")
    /// An evaluation.
    public static let evaluator = SpanType(rawValue: "EVALUATOR")
    /// A span of no known type.
    public static let unknown = SpanType(rawValue: "UNKNOWN")
  }

  /// How a span ended, with OpenTelemetry's codes.
  public struct Status: Sendable, Hashable, Codable {
    /// The status code.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
      /// MLflow's column spelling: `OK`, `ERROR` or `UNSET`.
      public let rawValue: String
      public init(rawValue: String) { self.rawValue = rawValue }
      public var description: String { rawValue }

      /// Finished successfully.
      public static let ok = Code(rawValue: "OK")
      /// Finished with an error.
      public static let error = Code(rawValue: "ERROR")
      /// No status was set.
      public static let unset = Code(rawValue: "UNSET")
    }

    /// OK, error or unset.
    public var code: Code
    /// A description, usually of the error; empty when there is none.
    public var message: String

    /// A status with a code and an optional description.
    public init(_ code: Code, message: String = "") {
      self.code = code
      self.message = message
    }

    /// `OK` with no message.
    public static let ok = Status(.ok)
  }

  /// Something that happened at one instant during a span, e.g. an exception.
  public struct Event: Sendable, Hashable, Codable {
    /// What happened, e.g. `exception`.
    public var name: String
    /// When, in nanoseconds since the Unix epoch.
    public var time: Int64
    /// Attribute values as JSON texts, like span attributes.
    public var attributes: [String: String]

    /// An event named `name` at `time` (Unix nanoseconds).
    package init(name: String, time: Int64, attributes: [String: String] = [:]) {
      self.name = name
      self.time = time
      self.attributes = attributes
    }
  }

  /// The trace this span belongs to (`tr-…`).
  public var traceID: String
  /// 16 lowercase hex digits.
  public var spanID: String
  /// The enclosing span's ID; `nil` for the root span.
  public var parentSpanID: String?
  /// What the step was, e.g. the traced function's name.
  public var name: String
  /// The kind of step.
  public var type: SpanType
  /// How it ended.
  public var status: Status
  /// Start, in nanoseconds since the Unix epoch.
  public var startTime: Int64
  /// End, in nanoseconds since the Unix epoch; `nil` while running.
  public var endTime: Int64?
  /// Attribute values as JSON texts, keyed by attribute name (e.g. `mlflow.spanInputs`).
  public var attributes: [String: String]
  /// Instants within the span, e.g. exceptions.
  public var events: [Event]

  /// A span; `inputs` and `outputs` (JSON texts) go into ``attributes`` under
  /// ``inputsKey`` and ``outputsKey``.
  package init(
    traceID: String,
    spanID: String,
    parentSpanID: String? = nil,
    name: String,
    type: SpanType = .unknown,
    status: Status = .ok,
    startTime: Int64,
    endTime: Int64?,
    inputs: String? = nil,
    outputs: String? = nil,
    attributes: [String: String] = [:],
    events: [Event] = []
  ) {
    self.traceID = traceID
    self.spanID = spanID
    self.parentSpanID = parentSpanID
    self.name = name
    self.type = type
    self.status = status
    self.startTime = startTime
    self.endTime = endTime
    self.attributes = attributes
    self.events = events
    if let inputs { self.attributes[Span.inputsKey] = inputs }
    if let outputs { self.attributes[Span.outputsKey] = outputs }
  }

  /// The span's inputs (a JSON text), or `nil`.
  public var inputs: String? { attributes[Span.inputsKey] }
  /// The span's outputs (a JSON text), or `nil`.
  public var outputs: String? { attributes[Span.outputsKey] }

  /// The attribute holding the inputs.
  package static let inputsKey = "mlflow.spanInputs"
  /// The attribute holding the outputs.
  package static let outputsKey = "mlflow.spanOutputs"
  /// The attribute holding the span type (the store writes it).
  package static let typeKey = "mlflow.spanType"
  /// The attribute holding the trace ID (the store writes it).
  package static let traceRequestIDKey = "mlflow.traceRequestId"

  /// A new random span ID: 16 lowercase hex digits.
  package static func newSpanID() -> String { Identifiers.randomHex(bytes: 8) }
}
