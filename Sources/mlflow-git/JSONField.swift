/// Just enough JSON output for the CLI's `--json`, with keys in a fixed order.
enum JSONField {
  case string(String)
  case bool(Bool)
  case int(Int)
  case null
  case array([JSONField])
  indirect case objectValue([(String, JSONField)])

  /// A JSON object with its keys in the given order.
  static func object(_ fields: [(String, JSONField)]) -> String { JSONField.objectValue(fields).text }

  var text: String {
    switch self {
    case .string(let value): JSONField.quoted(value)
    case .bool(let value): value ? "true" : "false"
    case .int(let value): String(value)
    case .null: "null"
    case .array(let values): "[" + values.map(\.text).joined(separator: ",") + "]"
    case .objectValue(let fields):
      "{" + fields.map { JSONField.quoted($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
    }
  }

  static func quoted(_ value: String) -> String {
    var result = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}
