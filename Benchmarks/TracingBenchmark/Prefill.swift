import CSQLite

/// Grows `mlflow.db` to `count` more traces quickly, by bulk SQL that copies the rows of one
/// trace the exporter stored (`template`) under new random trace IDs — as traces older
/// mlflow-git versions or Python wrote — linked to another model, with their start times
/// spread over the past and their spans' durations varied, so MLflow's indexes hold what a
/// database that size holds. Only the database is built this way; the writes a benchmark
/// measures go through the exporter.
struct Prefill {
  let databasePath: String
  let template: String
  let modelID: String

  /// Adds `count` traces; returns an error message, or `nil`.
  func run(count: Int) -> String? {
    var database: OpaquePointer?
    guard sqlite3_open_v2(databasePath, &database, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else {
      sqlite3_close(database)
      return "could not open \(databasePath)"
    }
    defer { sqlite3_close(database) }
    let statements = [
      "PRAGMA cache_size = -1000000",
      "PRAGMA synchronous = OFF",
      "BEGIN IMMEDIATE",
      "CREATE TEMP TABLE prefill (n INTEGER PRIMARY KEY, id TEXT NOT NULL)",
      """
      WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < \(count))
      INSERT INTO prefill SELECT n, 'tr-' || lower(hex(randomblob(16))) FROM c
      """,
      "CREATE TEMP TABLE sorted AS SELECT n, id FROM prefill ORDER BY id",
      """
      INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status, client_request_id,
        request_preview, response_preview, db_payload_generation, trace_name, session_id)
      SELECT s.id, t.experiment_id, t.timestamp_ms - s.n * 7, t.execution_time_ms, t.status, t.client_request_id,
        t.request_preview, t.response_preview, t.db_payload_generation, t.trace_name, t.session_id
      FROM sorted s, trace_info t WHERE t.request_id = '\(template)' ORDER BY s.id
      """,
      """
      INSERT INTO trace_tags (key, value, request_id)
      SELECT g.key, replace(g.value, '\(template)', s.id), s.id
      FROM trace_tags g, sorted s WHERE g.request_id = '\(template)' ORDER BY g.key, s.id
      """,
      """
      INSERT INTO trace_request_metadata (key, value, request_id)
      SELECT m.key, CASE m.key WHEN 'mlflow.modelId' THEN '\(modelID)' ELSE m.value END, s.id
      FROM trace_request_metadata m, sorted s WHERE m.request_id = '\(template)' ORDER BY m.key, s.id
      """,
      """
      INSERT INTO spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status, start_time_unix_nano,
        end_time_unix_nano, content)
      SELECT s.id, p.experiment_id, p.span_id, p.parent_span_id, p.name, p.type, p.status,
        p.start_time_unix_nano - s.n * 7000000,
        p.start_time_unix_nano - s.n * 7000000 + 1000 + abs(random()) % 100000, p.content
      FROM sorted s, spans p WHERE p.trace_id = '\(template)' ORDER BY s.id, p.span_id
      """,
      "COMMIT",
      "DROP TABLE temp.prefill",
      "DROP TABLE temp.sorted",
    ]
    for sql in statements where sqlite3_exec(database, sql, nil, nil, nil) != SQLITE_OK {
      return "prefill failed: \(String(cString: sqlite3_errmsg(database))) in \(sql.prefix(60))"
    }
    return nil
  }
}
