/// Reading and writing `logged_models` rows with their `logged_model_tags` and
/// `logged_model_params`.
enum LoggedModelRows {
  private static let columns = """
    m.model_id, m.experiment_id, m.name, m.artifact_location, m.creation_timestamp_ms,
    m.last_updated_timestamp_ms, m.status, m.lifecycle_stage, m.model_type, m.source_run_id, m.status_message
    """

  /// The model with this ID, with its tags and params, or `nil`.
  static func find(id: String, includeDeleted: Bool, in connection: SQLiteConnection) throws(MLflowStoreError) -> LoggedModel? {
    let rows = includeDeleted
      ? try connection.rows("SELECT \(columns) FROM logged_models AS m WHERE m.model_id = ?", [.text(id)])
      : try connection.rows(
        "SELECT \(columns) FROM logged_models AS m WHERE m.model_id = ? AND m.lifecycle_stage != ?",
        [.text(id), .text(LifecycleStage.deleted.rawValue)])
    return try models(from: rows, in: connection).first
  }

  /// Inserts `model` with its tags and params, the rows MLflow writes (`status_message` NULL).
  /// Call inside a write transaction.
  static func insert(_ model: LoggedModel, experimentNumber: Int64, in connection: SQLiteConnection)
    throws(MLflowStoreError)
  {
    try connection.execute(
      """
      INSERT INTO logged_models
        (model_id, experiment_id, name, artifact_location, creation_timestamp_ms,
         last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id, status_message)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
      """,
      [
        .text(model.modelID), .integer(experimentNumber), .text(model.name), .text(model.artifactLocation),
        .integer(model.creationTimestamp), .integer(model.lastUpdatedTimestamp),
        .integer(Int64(model.status.rawValue)), .text(model.lifecycleStage.rawValue),
        .optionalText(model.modelType), .optionalText(model.sourceRunID),
      ])
    for (key, value) in model.params.sorted(by: { $0.key < $1.key }) {
      try connection.execute(
        "INSERT INTO logged_model_params (model_id, experiment_id, param_key, param_value) VALUES (?, ?, ?, ?)",
        [.text(model.modelID), .integer(experimentNumber), .text(key), .text(value)])
    }
    for (key, value) in model.tags.sorted(by: { $0.key < $1.key }) {
      try connection.execute(
        "INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?)",
        [.text(model.modelID), .integer(experimentNumber), .text(key), .text(value)])
    }
  }

  /// One page (plus one row, to tell whether another page follows) of the model rows matching
  /// `search`, in MLflow's order.
  static func search(
    _ search: LoggedModelSearch,
    experimentNumbers: [Int64],
    offset: Int,
    in connection: SQLiteConnection
  ) throws(MLflowStoreError) -> [[SQLiteValue]] {
    guard !experimentNumbers.isEmpty else { return [] }
    var sql = "SELECT \(columns) FROM logged_models AS m WHERE m.lifecycle_stage != ?"
    var values: [SQLiteValue] = [.text(LifecycleStage.deleted.rawValue)]
    sql += " AND m.experiment_id IN (" + Array(repeating: "?", count: experimentNumbers.count).joined(separator: ", ") + ")"
    values += experimentNumbers.map { .integer($0) }
    var remaining = search.tags
    if let key = search.selectiveTagKey, let value = remaining.removeValue(forKey: key) {
      // A list of the few models with this tag drives the query: SQLite then looks each of
      // them up by primary key instead of scanning every model.
      sql += " AND m.model_id IN (SELECT s.model_id FROM logged_model_tags AS s WHERE s.tag_key = ? AND s.tag_value = ?)"
      values += [.text(key), .text(value)]
    }
    for (key, value) in remaining.sorted(by: { $0.key < $1.key }) {
      sql += " AND EXISTS (SELECT 1 FROM logged_model_tags AS t"
        + " WHERE t.model_id = m.model_id AND t.tag_key = ? AND t.tag_value = ?)"
      values += [.text(key), .text(value)]
    }
    var order: [String] = []
    for key in search.orderBy {
      order.append(column(of: key.field) + (key.ascending ? " ASC" : " DESC"))
    }
    let fields = Set(search.orderBy.map(\.field))
    if !fields.contains(.creationTimestamp) { order.append("m.creation_timestamp_ms DESC") }
    if !fields.contains(.modelID) { order.append("m.model_id ASC") }
    sql += " ORDER BY " + order.joined(separator: ", ") + " LIMIT ? OFFSET ?"
    values += [.integer(Int64(search.maxResults) + 1), .integer(Int64(offset))]
    return try connection.rows(sql, values)
  }

  /// Models for `rows` (in the same order), with their tags and params loaded.
  static func models(from rows: [[SQLiteValue]], in connection: SQLiteConnection) throws(MLflowStoreError) -> [LoggedModel] {
    guard !rows.isEmpty else { return [] }
    let ids = rows.map { $0[0] }
    let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
    var tags: [String: [String: String]] = [:]
    for row in try connection.rows(
      "SELECT model_id, tag_key, tag_value FROM logged_model_tags WHERE model_id IN (\(placeholders))", ids)
    {
      tags[row[0].text ?? "", default: [:]][row[1].text ?? ""] = row[2].text ?? ""
    }
    var params: [String: [String: String]] = [:]
    for row in try connection.rows(
      "SELECT model_id, param_key, param_value FROM logged_model_params WHERE model_id IN (\(placeholders))", ids)
    {
      params[row[0].text ?? "", default: [:]][row[1].text ?? ""] = row[2].text ?? ""
    }
    return rows.map { row in
      let id = row[0].text ?? ""
      return LoggedModel(
        modelID: id,
        experimentID: row[1].text ?? "",
        name: row[2].text ?? "",
        artifactLocation: row[3].text ?? "",
        creationTimestamp: row[4].integer ?? 0,
        lastUpdatedTimestamp: row[5].integer ?? 0,
        status: LoggedModelStatus(rawValue: Int(row[6].integer ?? 0)),
        lifecycleStage: LifecycleStage(rawValue: row[7].text ?? LifecycleStage.active.rawValue),
        modelType: row[8].text,
        sourceRunID: row[9].text,
        statusMessage: row[10].text,
        tags: tags[id] ?? [:],
        params: params[id] ?? [:])
    }
  }

  /// What a page token of `search` must match: everything but the page size and token.
  static func fingerprint(of search: LoggedModelSearch) -> JSONValue {
    .object([
      ("experiment_ids", .array(search.experimentIDs.map { .string($0) })),
      ("tags", .object(search.tags.sorted(by: { $0.key < $1.key }).map { ($0.key, .string($0.value)) })),
      ("order_by", .array(search.orderBy.map { .object([("field_name", .string($0.field.rawValue)), ("ascending", .bool($0.ascending))]) })),
    ])
  }

  static func notFound(id: String) -> MLflowStoreError {
    MLflowStoreError(
      code: .modelNotFound,
      message: "no logged model with ID '\(id)' exists (or it was deleted); search for the version again")
  }

  private static func column(of field: LoggedModelSearch.Field) -> String {
    switch field {
    case .creationTimestamp: "m.creation_timestamp_ms"
    case .lastUpdatedTimestamp: "m.last_updated_timestamp_ms"
    case .name: "m.name"
    default: "m.model_id"
    }
  }
}
