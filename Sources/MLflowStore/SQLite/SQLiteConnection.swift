import CSQLite

/// One open connection to an SQLite database file, through the C API.
///
/// Every value reaches SQLite as a bound parameter of a prepared statement; SQL text is only
/// ever built from fixed fragments. Not thread-safe: ``SQLiteTrackingStore`` guards it with a
/// mutex.
final class SQLiteConnection {
  /// The database file, for messages.
  let path: String
  private let handle: OpaquePointer
  /// Statements kept prepared by SQL text, for those run once per row (see ``kept(_:)``).
  private var prepared: [String: OpaquePointer] = [:]

  /// Opens an existing database file for reading and writing (reading only when the file or
  /// its directory cannot be written).
  ///
  /// - Parameters:
  ///   - path: The database file; it must exist (this never creates one).
  ///   - busyTimeoutMilliseconds: How long a statement waits for another connection's lock
  ///     before failing with ``MLflowStoreError/Code-swift.struct/databaseBusy``.
  init(path: String, busyTimeoutMilliseconds: Int32) throws(MLflowStoreError) {
    self.path = path
    var opened: OpaquePointer?
    let status = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
    guard let opened else {
      throw MLflowStoreError(code: .databaseError, message: "could not open '\(path)': out of memory")
    }
    handle = opened
    guard status == SQLITE_OK else {
      let error = SQLiteConnection.error(status, handle: opened, path: path, doing: "open the database")
      sqlite3_close_v2(opened)
      throw error
    }
    sqlite3_extended_result_codes(handle, 1)
    sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
    // As MLflow's own SQLite sessions do: enforce the schema's foreign keys.
    try execute("PRAGMA foreign_keys = ON")
    // Room for a whole batch of traces (4 MiB of rows by default, several times that in pages
    // of rows and indexes): with SQLite's default 2 MiB, a large transaction spills pages to
    // the file before it commits, and writes them twice.
    try execute("PRAGMA cache_size = -32768")
  }

  deinit {
    for statement in prepared.values { sqlite3_finalize(statement) }
    sqlite3_close_v2(handle)
  }

  /// `true` when SQLite opened the file for reading only.
  var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

  /// Runs one statement and returns how many rows it inserted, updated or deleted.
  @discardableResult
  func execute(_ sql: String, _ values: [SQLiteValue] = []) throws(MLflowStoreError) -> Int {
    try withStatement(sql, values) { statement throws(MLflowStoreError) in
      while true {
        let status = sqlite3_step(statement)
        if status == SQLITE_DONE { break }
        if status != SQLITE_ROW { throw failure(status, doing: sql) }
      }
      return Int(sqlite3_changes(handle))
    }
  }

  /// Runs one query and returns its rows, each as its column values in order.
  func rows(_ sql: String, _ values: [SQLiteValue] = []) throws(MLflowStoreError) -> [[SQLiteValue]] {
    try withStatement(sql, values) { statement throws(MLflowStoreError) in
      var rows: [[SQLiteValue]] = []
      let columnCount = sqlite3_column_count(statement)
      while true {
        let status = sqlite3_step(statement)
        if status == SQLITE_DONE { break }
        guard status == SQLITE_ROW else { throw failure(status, doing: sql) }
        var row: [SQLiteValue] = []
        row.reserveCapacity(Int(columnCount))
        for column in 0..<columnCount {
          row.append(value(of: statement, column: column))
        }
        rows.append(row)
      }
      return rows
    }
  }

  /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`): the write lock is taken first, so
  /// the whole body sees one state and commits all of its writes or none.
  func writeTransaction<T>(_ body: () throws(MLflowStoreError) -> T) throws(MLflowStoreError) -> T {
    try transaction(begin: "BEGIN IMMEDIATE", body)
  }

  /// Runs `body` in a read transaction, so its queries see one consistent state.
  func readTransaction<T>(_ body: () throws(MLflowStoreError) -> T) throws(MLflowStoreError) -> T {
    try transaction(begin: "BEGIN", body)
  }

  private func transaction<T>(
    begin: String,
    _ body: () throws(MLflowStoreError) -> T
  ) throws(MLflowStoreError) -> T {
    try execute(begin)
    do {
      let result = try body()
      try execute("COMMIT")
      return result
    } catch {
      if sqlite3_get_autocommit(handle) == 0 { _ = try? execute("ROLLBACK") }
      throw error
    }
  }

  private func withStatement<T>(
    _ sql: String,
    _ values: [SQLiteValue],
    _ body: (OpaquePointer) throws(MLflowStoreError) -> T
  ) throws(MLflowStoreError) -> T {
    let statement = try prepare(sql, flags: 0)
    defer { sqlite3_finalize(statement) }
    var binder = Binder(statement: statement)
    for value in values {
      switch value {
      case .null: binder.null()
      case .integer(let number): binder.integer(number)
      case .real(let number): binder.real(number)
      case .text(let text): binder.text(text)
      }
    }
    guard binder.status == SQLITE_OK else { throw failure(binder.status, doing: sql) }
    return try body(statement)
  }

  /// The statement for `sql`, prepared on first use and kept for the connection's life: for
  /// fixed statements run once per row, such as the inserts of a trace's rows, where preparing
  /// would cost as much as running. Run it with ``run(_:binding:)``.
  func kept(_ sql: String) throws(MLflowStoreError) -> OpaquePointer {
    if let kept = prepared[sql] { return kept }
    let statement = try prepare(sql, flags: UInt32(SQLITE_PREPARE_PERSISTENT))
    prepared[sql] = statement
    return statement
  }

  private func prepare(_ sql: String, flags: UInt32) throws(MLflowStoreError) -> OpaquePointer {
    var made: OpaquePointer?
    let status = sqlite3_prepare_v3(handle, sql, -1, flags, &made, nil)
    guard status == SQLITE_OK, let made else {
      sqlite3_finalize(made)
      throw failure(status, doing: sql)
    }
    return made
  }

  /// Runs a ``kept(_:)`` statement once: `bind` binds its parameters in order, then it is
  /// stepped to its end and reset. Returns how many rows it inserted, updated or deleted.
  @discardableResult
  func run(_ statement: OpaquePointer, binding bind: (inout Binder) -> Void) throws(MLflowStoreError) -> Int {
    defer {
      sqlite3_reset(statement)
      sqlite3_clear_bindings(statement)
    }
    var binder = Binder(statement: statement)
    bind(&binder)
    let sql = { String(cString: sqlite3_sql(statement)) }
    guard binder.status == SQLITE_OK else { throw failure(binder.status, doing: sql()) }
    while true {
      let status = sqlite3_step(statement)
      if status == SQLITE_DONE { break }
      if status != SQLITE_ROW { throw failure(status, doing: sql()) }
    }
    return Int(sqlite3_changes(handle))
  }

  /// Binds a statement's parameters one after another; the first failure is kept in `status`.
  struct Binder {
    let statement: OpaquePointer
    private var index: Int32 = 1
    private(set) var status = SQLITE_OK

    init(statement: OpaquePointer) { self.statement = statement }

    private mutating func bound(_ result: Int32) {
      if status == SQLITE_OK { status = result }
      index += 1
    }

    mutating func null() { bound(sqlite3_bind_null(statement, index)) }

    mutating func integer(_ value: Int64) { bound(sqlite3_bind_int64(statement, index, value)) }

    mutating func real(_ value: Double) { bound(sqlite3_bind_double(statement, index, value)) }

    /// Bound with its byte count, so text containing NUL characters is kept whole; a non-NULL
    /// pointer even for "" (a NULL one would bind NULL).
    mutating func text(_ value: String) {
      var value = value
      bound(value.withUTF8 { bindText($0) })
    }

    /// UTF-8 bytes bound as text.
    mutating func text(_ utf8: [UInt8]) {
      bound(utf8.withUnsafeBufferPointer { bindText($0) })
    }

    private func bindText(_ utf8: UnsafeBufferPointer<UInt8>) -> Int32 {
      guard let start = utf8.baseAddress, !utf8.isEmpty else {
        return sqlite3_bind_text(statement, index, "", 0, SQLiteConnection.transient)
      }
      return start.withMemoryRebound(to: CChar.self, capacity: utf8.count) { chars in
        sqlite3_bind_text(statement, index, chars, Int32(utf8.count), SQLiteConnection.transient)
      }
    }

    mutating func text(_ value: String?) {
      if let value { text(value) } else { null() }
    }

    mutating func integer(_ value: Int64?) {
      if let value { integer(value) } else { null() }
    }

    mutating func real(_ value: Double?) {
      if let value { real(value) } else { null() }
    }
  }

  private func value(of statement: OpaquePointer, column: Int32) -> SQLiteValue {
    switch sqlite3_column_type(statement, column) {
    case SQLITE_NULL:
      return .null
    case SQLITE_INTEGER:
      return .integer(sqlite3_column_int64(statement, column))
    case SQLITE_FLOAT:
      return .real(sqlite3_column_double(statement, column))
    default:
      let count = Int(sqlite3_column_bytes(statement, column))
      guard let bytes = sqlite3_column_text(statement, column) else { return .text("") }
      return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self))
    }
  }

  private func failure(_ status: Int32, doing sql: String) -> MLflowStoreError {
    SQLiteConnection.error(status, handle: handle, path: path, doing: "run `\(sql.prefix(80))`")
  }

  /// `SQLITE_CONSTRAINT_UNIQUE` and `SQLITE_CONSTRAINT_PRIMARYKEY` (macros Swift does not import).
  private static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)
  private static let constraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)

  /// Tells SQLite to copy bound text before the call returns.
  fileprivate static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

  /// An error naming the file, what was being done, and what to do about it.
  static func error(_ status: Int32, handle: OpaquePointer?, path: String, doing: String) -> MLflowStoreError {
    let detail = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
      ?? String(cString: sqlite3_errstr(status))
    if status == SQLiteConnection.constraintUnique || status == SQLiteConnection.constraintPrimaryKey {
      return MLflowStoreError(
        code: .alreadyExists,
        message: "the MLflow database '\(path)' already has that row (\(detail))")
    }
    switch status & 0xff {
    case SQLITE_BUSY, SQLITE_LOCKED:
      return MLflowStoreError(
        code: .databaseBusy,
        message: "the MLflow database '\(path)' stayed locked by another connection for longer than "
          + "the busy timeout (\(detail)); retry, or stop the process that keeps it locked")
    case SQLITE_READONLY:
      return MLflowStoreError(
        code: .readOnlyDatabase,
        message: "the MLflow database '\(path)' can be read but not written (\(detail)); make the "
          + "file and its directory writable, or point MLFLOW_TRACKING_URI at a writable database")
    case SQLITE_NOTADB, SQLITE_CORRUPT:
      return MLflowStoreError(
        code: .corruptDatabase,
        message: "'\(path)' is not a valid SQLite database (\(detail)); restore it from a backup, or "
          + "move it away so a new MLflow database can be created")
    case SQLITE_CONSTRAINT:
      return MLflowStoreError(
        code: .databaseError,
        message: "the MLflow database '\(path)' rejected a row (\(detail)) while trying to \(doing)")
    default:
      return MLflowStoreError(
        code: .databaseError,
        message: "could not \(doing) on the MLflow database '\(path)': \(detail)")
    }
  }
}
