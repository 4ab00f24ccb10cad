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

  /// Inserts all rows of a validated trace into an active experiment.
  ///
  /// - Throws: `.alreadyExists` when a trace with that ID is stored.
  static func insert(
    _ trace: Trace,
    experiment: Experiment,
    analytics: TraceAnalytics,
    in connection: SQLiteConnection
  ) throws(MLflowStoreError) -> TraceInfo {
    do throws(MLflowStoreError) {
      try insertInfo(trace.info, experiment: experiment, analytics: analytics, unlessStored: false, in: connection)
    } catch where error.code == .alreadyExists {
      throw MLflowStoreError(
        code: .alreadyExists,
        message: "a trace with ID \(trace.info.traceID) already exists; give a new trace a new ID")
    }
    return try insertDetails(trace, experiment: experiment, analytics: analytics, in: connection)
  }

  /// Inserts all rows of a validated trace, unless a trace with its ID is stored already (then
  /// nothing is written): what lets a batch be sent again after an interrupted delivery.
  ///
  /// - Returns: `false` when the trace was stored already.
  static func insertUnlessStored(
    _ trace: Trace,
    experiment: Experiment,
    analytics: TraceAnalytics,
    in connection: SQLiteConnection
  ) throws(MLflowStoreError) -> Bool {
    guard try insertInfo(trace.info, experiment: experiment, analytics: analytics, unlessStored: true, in: connection)
    else { return false }
    _ = try insertDetails(trace, experiment: experiment, analytics: analytics, in: connection)
    return true
  }

  /// The `trace_info` row; `false` when `unlessStored` and the ID is taken.
  @discardableResult
  private static func insertInfo(
    _ info: TraceInfo,
    experiment: Experiment,
    analytics: TraceAnalytics,
    unlessStored: Bool,
    in connection: SQLiteConnection
  ) throws(MLflowStoreError) -> Bool {
    let experimentNumber = try ExperimentRows.parseID(experiment.experimentID)
    let inserted = try connection.execute(
      """
      INSERT INTO trace_info
        (request_id, experiment_id, timestamp_ms, execution_time_ms, status, client_request_id,
         request_preview, response_preview, db_payload_generation, trace_name, session_id,
         input_tokens, output_tokens, total_tokens, cache_read_input_tokens, cache_creation_input_tokens,
         cache_creation_input_tokens_above_1hr, input_cost, output_cost, total_cost)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """ + (unlessStored ? " ON CONFLICT (request_id) DO NOTHING" : ""),
      [
        .text(info.traceID), .integer(experimentNumber), .integer(info.requestTime),
        .optionalInteger(info.executionDuration), .text(info.state.rawValue), .optionalText(info.clientRequestID),
        .optionalText(info.requestPreview.map(EntityValidation.preview)), .optionalText(info.responsePreview.map(EntityValidation.preview)),
        .optionalText(info.tags[TraceInfo.traceNameKey]), .optionalText(analytics.sessionID),
      ] + analytics.tokens.map(SQLiteValue.optionalInteger) + analytics.costs.map(SQLiteValue.optionalReal),
      reusing: true)
    return inserted == 1
  }

  /// The tags, metadata and spans of a trace whose `trace_info` row was just inserted; returns
  /// the info as stored.
  private static func insertDetails(
    _ trace: Trace,
    experiment: Experiment,
    analytics: TraceAnalytics,
    in connection: SQLiteConnection
  ) throws(MLflowStoreError) -> TraceInfo {
    let info = trace.info
    let experimentNumber = try ExperimentRows.parseID(experiment.experimentID)
    let traceID = info.traceID
    var tags = info.tags.filter { $0.key != TraceInfo.traceNameKey && !systemTags.contains($0.key) }
    tags[artifactLocationTag] = ArtifactPath.appending(["traces", traceID, "artifacts"], to: experiment.artifactLocation)
    tags[spansLocationTag] = trackingStore
    for (key, value) in tags.sorted(by: { $0.key < $1.key }) {
      try connection.execute(
        "INSERT INTO trace_tags (key, value, request_id) VALUES (?, ?, ?)", [.text(key), .text(value), .text(traceID)],
        reusing: true)
    }
    var metadata = info.metadata.filter { !TraceAnalytics.promotedKeys.contains($0.key) }
    metadata[infoFinalizedKey] = "true"
    if metadata[TraceInfo.schemaVersionKey] == nil { metadata[TraceInfo.schemaVersionKey] = "3" }
    for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
      try connection.execute(
        "INSERT INTO trace_request_metadata (key, value, request_id) VALUES (?, ?, ?)",
        [.text(key), .text(value), .text(traceID)], reusing: true)
    }
    for span in trace.spans {
      try insert(span, experimentNumber: experimentNumber, in: connection)
    }
    var stored = info
    stored.experimentID = experiment.experimentID
    stored.requestPreview = info.requestPreview.map(EntityValidation.preview)
    stored.responsePreview = info.responsePreview.map(EntityValidation.preview)
    stored.tags = tags.merging(info.tags.filter { $0.key == TraceInfo.traceNameKey }) { current, _ in current }
    stored.metadata = metadata.merging(analytics.metadata) { current, _ in current }
    return stored
  }

  private static func insert(_ span: Span, experimentNumber: Int64, in connection: SQLiteConnection) throws(MLflowStoreError) {
    let attributes = SpanContent.storedAttributes(of: span)
    let cost = span.attributes["mlflow.llm.cost"].flatMap(JSONValue.parse)
    let costs = TraceAnalytics.costColumns.map { cost?[$0.key].flatMap(TraceAnalytics.finiteNumber) }
    try connection.execute(
      """
      INSERT INTO spans
        (trace_id, experiment_id, span_id, parent_span_id, name, type, status, start_time_unix_nano,
         end_time_unix_nano, content, input_cost, output_cost, total_cost, model_name, model_provider)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """,
      [
        .text(span.traceID), .integer(experimentNumber), .text(span.spanID), .optionalText(span.parentSpanID),
        .text(span.name), .text(span.type.rawValue), .text(span.status.code.rawValue), .integer(span.startTime),
        .optionalInteger(span.endTime), .text(SpanContent.encode(span, attributes: attributes)),
      ] + costs.map(SQLiteValue.optionalReal) + [
        .optionalText(modelDimension(span.attributes["mlflow.llm.model"])),
        .optionalText(modelDimension(span.attributes["mlflow.llm.provider"])),
      ], reusing: true)
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
