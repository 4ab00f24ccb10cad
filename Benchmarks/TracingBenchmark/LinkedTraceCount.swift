import CSQLite

/// Counts, straight from `mlflow.db`, the traces (`trace_info` rows) and spans linked to a
/// model (`mlflow.modelId` metadata): what the benchmark reports as exported is counted, never
/// assumed.
struct LinkedTraceCount {
  let databasePath: String
  let modelID: String

  func traces() -> Int {
    count("trace_info t JOIN trace_request_metadata m ON m.request_id = t.request_id")
  }

  func spans() -> Int {
    count("spans s JOIN trace_request_metadata m ON m.request_id = s.trace_id")
  }

  private func count(_ tables: String) -> Int {
    var database: OpaquePointer?
    guard sqlite3_open_v2(databasePath, &database, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
      sqlite3_close(database)
      return -1
    }
    defer { sqlite3_close(database) }
    sqlite3_busy_timeout(database, 30_000)
    var statement: OpaquePointer?
    let sql = "SELECT count(*) FROM \(tables) WHERE m.key = 'mlflow.modelId' AND m.value = ?"
    guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK else { return -1 }
    defer { sqlite3_finalize(statement) }
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    sqlite3_bind_text(statement, 1, modelID, -1, transient)
    guard sqlite3_step(statement) == SQLITE_ROW else { return -1 }
    return Int(sqlite3_column_int64(statement, 0))
  }
}
