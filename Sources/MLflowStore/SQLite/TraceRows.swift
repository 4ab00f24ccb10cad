/// Writing and reading a trace's rows: `trace_info`, `trace_tags`, `trace_request_metadata`
/// and `spans`, as MLflow 3.17's `start_trace` and `log_spans` leave them.
enum TraceRows {
  static let artifactLocationTag = "mlflow.artifactLocation"
  static let spansLocationTag = "mlflow.trace.spansLocation"
  static let trackingStore = "TRACKING_STORE"
  static let infoFinalizedKey = "mlflow.trace.infoFinalized"
  /// Tags only the store sets; a client's values for them are dropped, as MLflow's server does.
  static let systemTags: Set<String> = [
    artifactLocationTag, spansLocationTag, "mlflow.trace.archiveLocation", "mlflow.trace.archivalFailure",
  ]

  /// A validated trace's rows, made before the write transaction (off the store's queue):
  /// everything but what depends on the experiment it is stored in.
  struct Prepared: Sendable {
    let info: TraceInfo
    let analytics: TraceAnalytics
    /// The tags as stored, by key; the artifact location's value is set at the write.
    let tags: [(key: String, value: String)]
    let metadata: [(key: String, value: String)]
    let spans: [SpanRow]

    /// - Throws: `.invalidArgument` for a trace MLflow would refuse.
    init(_ trace: Trace) throws(MLflowStoreError) {
      try EntityValidation.validate(trace)
      info = trace.info
      analytics = try TraceAnalytics(metadata: trace.info.metadata)
      var tags = info.tags.filter { $0.key != TraceInfo.traceNameKey && !systemTags.contains($0.key) }
      tags[artifactLocationTag] = ""
      tags[spansLocationTag] = trackingStore
      self.tags = tags.sorted { $0.key < $1.key }
      var metadata = info.metadata.filter { !TraceAnalytics.promotedKeys.contains($0.key) }
      metadata[infoFinalizedKey] = "true"
      if metadata[TraceInfo.schemaVersionKey] == nil { metadata[TraceInfo.schemaVersionKey] = "3" }
      self.metadata = metadata.sorted { $0.key < $1.key }
      spans = trace.spans.map(SpanRow.init)
    }

    /// The info as stored in `experiment`, whose trace artifacts are at `artifactLocation`.
    func stored(in experiment: Experiment, artifactLocation: String) -> TraceInfo {
      var stored = info
      stored.experimentID = experiment.experimentID
      stored.requestPreview = info.requestPreview.map(EntityValidation.preview)
      stored.responsePreview = info.responsePreview.map(EntityValidation.preview)
      stored.tags = Dictionary(tags.map { ($0.key, $0.key == artifactLocationTag ? artifactLocation : $0.value) }) { first, _ in first }
      if let name = info.tags[TraceInfo.traceNameKey] { stored.tags[TraceInfo.traceNameKey] = name }
      stored.metadata = Dictionary(metadata.map { ($0.key, $0.value) }) { first, _ in first }
        .merging(analytics.metadata) { current, _ in current }
      return stored
    }
  }

  /// A `spans` row but its experiment.
  struct SpanRow: Sendable {
    let span: Span
    let content: [UInt8]
    let costs: [Double?]
    let modelName: String?
    let modelProvider: String?

    init(_ span: Span) {
      self.span = span
      content = SpanContent.encode(span, attributes: SpanContent.storedAttributes(of: span))
      let cost = span.attributes["mlflow.llm.cost"].flatMap(JSONValue.parse)
      costs = TraceAnalytics.costColumns.map { cost?[$0.key].flatMap(TraceAnalytics.finiteNumber) }
      modelName = modelDimension(span.attributes["mlflow.llm.model"])
      modelProvider = modelDimension(span.attributes["mlflow.llm.provider"])
    }
  }

  /// Writes prepared traces in the connection's write transaction, with its statements
  /// prepared once for the connection's life.
  struct Writer {
    let connection: SQLiteConnection
    private let info: OpaquePointer
    private let infoUnlessStored: OpaquePointer
    private let tag: OpaquePointer
    private let metadata: OpaquePointer
    private let span: OpaquePointer
    /// Experiments written to, with their trace artifacts' location.
    private var experiments: [String: (experiment: Experiment, number: Int64, artifacts: ArtifactPath.Location)] = [:]

    private static let insertInfo = """
      INSERT INTO trace_info
        (request_id, experiment_id, timestamp_ms, execution_time_ms, status, client_request_id,
         request_preview, response_preview, db_payload_generation, trace_name, session_id,
         input_tokens, output_tokens, total_tokens, cache_read_input_tokens, cache_creation_input_tokens,
         cache_creation_input_tokens_above_1hr, input_cost, output_cost, total_cost)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """

    init(connection: SQLiteConnection) throws(MLflowStoreError) {
      self.connection = connection
      info = try connection.kept(Self.insertInfo)
      infoUnlessStored = try connection.kept(Self.insertInfo + " ON CONFLICT (request_id) DO NOTHING")
      tag = try connection.kept("INSERT INTO trace_tags (key, value, request_id) VALUES (?, ?, ?)")
      metadata = try connection.kept("INSERT INTO trace_request_metadata (key, value, request_id) VALUES (?, ?, ?)")
      span = try connection.kept(
        """
        INSERT INTO spans
          (trace_id, experiment_id, span_id, parent_span_id, name, type, status, start_time_unix_nano,
           end_time_unix_nano, content, input_cost, output_cost, total_cost, model_name, model_provider)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    }

    /// Inserts all rows of `trace` into its experiment, which must be active; returns the info as
    /// stored, or `nil` when `unlessStored` and a trace with its ID is stored already (then
    /// nothing is written: what lets a batch be sent again after an interrupted delivery).
    ///
    /// - Throws: `.alreadyExists` when a trace with that ID is stored (and not `unlessStored`).
    mutating func insert(_ trace: Prepared, unlessStored: Bool) throws(MLflowStoreError) -> TraceInfo? {
      let experimentID = trace.info.experimentID
      if experiments[experimentID] == nil {
        let experiment = try ExperimentRows.active(id: experimentID, in: connection)
        experiments[experimentID] = (
          experiment, try ExperimentRows.parseID(experiment.experimentID), ArtifactPath.Location(experiment.artifactLocation)
        )
      }
      let (experiment, number, artifacts) = experiments[experimentID]!
      let info = trace.info
      let traceID = info.traceID
      do throws(MLflowStoreError) {
        let inserted = try connection.run(unlessStored ? infoUnlessStored : self.info) { row in
          row.text(traceID)
          row.integer(number)
          row.integer(info.requestTime)
          row.integer(info.executionDuration)
          row.text(info.state.rawValue)
          row.text(info.clientRequestID)
          row.text(info.requestPreview.map(EntityValidation.preview))
          row.text(info.responsePreview.map(EntityValidation.preview))
          row.text(info.tags[TraceInfo.traceNameKey])
          row.text(trace.analytics.sessionID)
          for tokens in trace.analytics.tokens { row.integer(tokens) }
          for cost in trace.analytics.costs { row.real(cost) }
        }
        guard inserted == 1 else { return nil }
      } catch where error.code == .alreadyExists {
        throw MLflowStoreError(
          code: .alreadyExists, message: "a trace with ID \(traceID) already exists; give a new trace a new ID")
      }
      let artifactLocation = artifacts.appending(["traces", traceID, "artifacts"])
      for (key, value) in trace.tags {
        try connection.run(tag) { row in
          row.text(key)
          row.text(key == artifactLocationTag ? artifactLocation : value)
          row.text(traceID)
        }
      }
      for (key, value) in trace.metadata {
        try connection.run(metadata) { row in
          row.text(key)
          row.text(value)
          row.text(traceID)
        }
      }
      for spanRow in trace.spans {
        let span = spanRow.span
        try connection.run(self.span) { row in
          row.text(span.traceID)
          row.integer(number)
          row.text(span.spanID)
          row.text(span.parentSpanID)
          row.text(span.name)
          row.text(span.type.rawValue)
          row.text(span.status.code.rawValue)
          row.integer(span.startTime)
          row.integer(span.endTime)
          row.text(spanRow.content)
          for cost in spanRow.costs { row.real(cost) }
          row.text(spanRow.modelName)
          row.text(spanRow.modelProvider)
        }
      }
      return trace.stored(in: experiment, artifactLocation: artifactLocation)
    }
  }

  private static let infoColumns = """
    t.request_id, t.experiment_id, t.timestamp_ms, t.execution_time_ms, t.status, t.client_request_id,
    t.request_preview, t.response_preview, t.trace_name, t.session_id, t.input_tokens, t.output_tokens,
    t.total_tokens, t.cache_read_input_tokens, t.cache_creation_input_tokens,
    t.cache_creation_input_tokens_above_1hr, t.input_cost, t.output_cost, t.total_cost
    """

  /// The trace info rows of `experimentNumbers` (optionally only those linked to `modelID`),
  /// newest first, one more than `limit` to tell whether another page follows.
  static func search(
    experimentNumbers: [Int64],
    modelID: String?,
    limit: Int,
    offset: Int,
    in connection: SQLiteConnection
  ) throws(MLflowStoreError) -> [[SQLiteValue]] {
    var sql = "SELECT \(infoColumns) FROM trace_info AS t WHERE t.experiment_id IN ("
      + Array(repeating: "?", count: experimentNumbers.count).joined(separator: ", ") + ")"
    var values = experimentNumbers.map { SQLiteValue.integer($0) }
    if let modelID {
      sql += " AND EXISTS (SELECT 1 FROM trace_request_metadata AS md"
        + " WHERE md.request_id = t.request_id AND md.key = ? AND md.value = ?)"
      values += [.text(TraceInfo.modelIDKey), .text(modelID)]
    }
    sql += " ORDER BY t.timestamp_ms DESC, t.request_id ASC LIMIT ? OFFSET ?"
    values += [.integer(Int64(limit) + 1), .integer(Int64(offset))]
    return try connection.rows(sql, values)
  }

  /// The trace info row of one trace, or `nil`.
  static func find(id: String, in connection: SQLiteConnection) throws(MLflowStoreError) -> [SQLiteValue]? {
    try connection.rows("SELECT \(infoColumns) FROM trace_info AS t WHERE t.request_id = ?", [.text(id)]).first
  }

  /// Trace infos for `rows`, in the same order, with tags and metadata as MLflow shows them.
  static func infos(from rows: [[SQLiteValue]], in connection: SQLiteConnection) throws(MLflowStoreError) -> [TraceInfo] {
    guard !rows.isEmpty else { return [] }
    let ids = rows.map { $0[0] }
    let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
    var tags: [String: [String: String]] = [:]
    for row in try connection.rows("SELECT request_id, key, value FROM trace_tags WHERE request_id IN (\(placeholders))", ids)
    where row[1].text != TraceInfo.traceNameKey {
      tags[row[0].text ?? "", default: [:]][row[1].text ?? ""] = row[2].text ?? ""
    }
    var metadata: [String: [String: String]] = [:]
    for row in try connection.rows(
      "SELECT request_id, key, value FROM trace_request_metadata WHERE request_id IN (\(placeholders))", ids)
    where !TraceAnalytics.promotedKeys.contains(row[1].text ?? "") {
      metadata[row[0].text ?? "", default: [:]][row[1].text ?? ""] = row[2].text ?? ""
    }
    return rows.map { row in
      let id = row[0].text ?? ""
      var info = TraceInfo(
        traceID: id,
        experimentID: row[1].text ?? "",
        requestTime: row[2].integer ?? 0,
        executionDuration: row[3].integer,
        state: TraceState(rawValue: row[4].text ?? TraceState.unspecified.rawValue),
        requestPreview: row[6].text,
        responsePreview: row[7].text,
        clientRequestID: row[5].text,
        metadata: metadata[id] ?? [:],
        tags: tags[id] ?? [:])
      if let name = row[8].text { info.tags[TraceInfo.traceNameKey] = name }
      let analytics = TraceAnalytics(
        sessionID: row[9].text, tokens: (10...15).map { row[$0].integer }, costs: (16...18).map { row[$0].real })
      info.metadata.merge(analytics.metadata) { _, column in column }
      return info
    }
  }

  /// The spans of a trace: root spans first, then by start time.
  static func spans(ofTrace traceID: String, in connection: SQLiteConnection) throws(MLflowStoreError) -> [Span] {
    let rows = try connection.rows(
      """
      SELECT span_id, parent_span_id, name, type, status, start_time_unix_nano, end_time_unix_nano, content
      FROM spans WHERE trace_id = ? AND content != ''
      ORDER BY CASE WHEN parent_span_id IS NULL THEN 0 ELSE 1 END, start_time_unix_nano, span_id
      """,
      [.text(traceID)])
    return rows.map { row in
      let content = SpanContent.decode(row[7].text ?? "")
      var span = Span(
        traceID: traceID,
        spanID: row[0].text ?? "",
        parentSpanID: row[1].text,
        name: row[2].text ?? "",
        type: Span.SpanType(rawValue: row[3].text ?? Span.SpanType.unknown.rawValue),
        status: Span.Status(Span.Status.Code(rawValue: row[4].text ?? "UNSET"), message: content.statusMessage),
        startTime: row[5].integer ?? 0,
        endTime: row[6].integer)
      span.attributes = content.attributes
      span.events = content.events
      return span
    }
  }

  /// What a page token of a trace search must match.
  static func fingerprint(experimentIDs: [String], modelID: String?) -> JSONValue {
    .object([
      ("experiment_ids", .array(experimentIDs.map { .string($0) })),
      ("model_id", modelID.map { .string($0) } ?? .null),
    ])
  }

  static func notFound(id: String) -> MLflowStoreError {
    MLflowStoreError(code: .traceNotFound, message: "no trace with ID '\(id)' exists")
  }

  /// A model name or provider column value as MLflow derives it from the span attribute: the
  /// decoded string when the attribute is a JSON string, else its text; at most 500 characters.
  private static func modelDimension(_ attribute: String?) -> String? {
    guard let attribute else { return nil }
    let value = JSONValue.parse(attribute)?.stringValue ?? attribute
    return prefix(value, 500)
  }

  /// The first `count` code points of `text`, as Python's `text[:count]`.
  private static func prefix(_ text: String, _ count: Int) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.prefix(count)))
  }
}
