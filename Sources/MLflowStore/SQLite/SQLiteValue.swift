/// A value bound to, or read from, an SQLite statement.
enum SQLiteValue: Sendable, Equatable {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)

  /// `.text(value)`, or `.null` for `nil`.
  static func optionalText(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }

  /// `.integer(value)`, or `.null` for `nil`.
  static func optionalInteger(_ value: Int64?) -> SQLiteValue { value.map { .integer($0) } ?? .null }

  /// `.real(value)`, or `.null` for `nil`.
  static func optionalReal(_ value: Double?) -> SQLiteValue { value.map { .real($0) } ?? .null }

  /// The text of a text column; `nil` for NULL. Numbers are rendered as SQLite renders them.
  var text: String? {
    switch self {
    case .null: nil
    case .text(let value): value
    case .integer(let value): String(value)
    case .real(let value): String(value)
    }
  }

  /// The value of an integer column; `nil` for NULL or text that is not an integer.
  var integer: Int64? {
    switch self {
    case .null: nil
    case .integer(let value): value
    case .real(let value): Int64(exactly: value)
    case .text(let value): Int64(value)
    }
  }

  /// The value of a floating-point column; `nil` for NULL or text that is not a number.
  var real: Double? {
    switch self {
    case .null: nil
    case .integer(let value): Double(value)
    case .real(let value): value
    case .text(let value): Double(value)
    }
  }
}
