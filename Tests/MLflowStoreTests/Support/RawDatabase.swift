import CSQLite
import Foundation
import TestSupport

/// A plain SQLite connection for tests: to read the exact rows a store wrote, to hold locks as
/// another process would, and to damage a schema on purpose.
/// Used from one thread at a time (SQLite itself is in serialized mode).
final class RawDatabase: @unchecked Sendable {
  private var handle: OpaquePointer?

  /// Opens `path`; `create` makes a new, empty database when it does not exist.
  ///
  /// - Parameter busyTimeoutMilliseconds: How long a statement waits while another process
  ///   (a running `mlflow server`) holds the database's lock; 0 fails at once, which tests that
  ///   hold or probe locks rely on.
  init(_ path: String, create: Bool = false, busyTimeoutMilliseconds: Int32 = 0) throws {
    let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)
    guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
      throw TestFailure("cannot open \(path): \(String(cString: sqlite3_errmsg(handle)))")
    }
    sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
  }

  deinit { sqlite3_close_v2(handle) }

  /// Runs SQL statements (no parameters).
  func execute(_ sql: String) throws {
    var message: UnsafeMutablePointer<CChar>?
    guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
      defer { sqlite3_free(message) }
      throw TestFailure("\(sql): \(message.map { String(cString: $0) } ?? "error")")
    }
  }

  /// The rows of a query, each a dictionary from column name to value (`NSNull` for NULL).
  func rows(_ sql: String, _ parameters: [String] = []) throws -> [[String: AnyHashable]] {
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
      throw TestFailure("\(sql): \(String(cString: sqlite3_errmsg(handle)))")
    }
    defer { sqlite3_finalize(statement) }
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    for (index, parameter) in parameters.enumerated() {
      sqlite3_bind_text(statement, Int32(index + 1), parameter, -1, transient)
    }
    var rows: [[String: AnyHashable]] = []
    while sqlite3_step(statement) == SQLITE_ROW {
      var row: [String: AnyHashable] = [:]
      for column in 0..<sqlite3_column_count(statement) {
        let name = String(cString: sqlite3_column_name(statement, column))
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL: row[name] = NSNull()
        case SQLITE_INTEGER: row[name] = sqlite3_column_int64(statement, column)
        case SQLITE_FLOAT: row[name] = sqlite3_column_double(statement, column)
        default: row[name] = String(cString: sqlite3_column_text(statement, column))
        }
      }
      rows.append(row)
    }
    return rows
  }

  /// The number of rows of `table` (optionally matching `condition`, with `?` parameters).
  func count(_ table: String, where condition: String = "1", _ parameters: [String] = []) throws -> Int {
    let value = try rows("SELECT count(*) AS n FROM \(table) WHERE \(condition)", parameters).first?["n"]
    return Int(value as? Int64 ?? -1)
  }
}
