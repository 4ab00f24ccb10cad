import MLflowStore

extension JSONValue {
  /// The elements when this is an array; `[]` for anything else (MLflow omits empty lists).
  var elements: [JSONValue] {
    if case .array(let elements) = self { return elements }
    return []
  }

  /// The members when this is an object; `[]` for anything else.
  var members: [(key: String, value: JSONValue)] {
    if case .object(let members) = self { return members }
    return []
  }

  /// An integer written as a JSON number or, as protobuf JSON writes 64-bit integers, a string.
  var int64Value: Int64? {
    switch self {
    case .integer(let value): value
    case .double(let value) where value == value.rounded() && abs(value) < 9.2e18: Int64(value)
    case .string(let text): Int64(text)
    default: nil
    }
  }

  /// The non-empty string, when this is one (MLflow writes `""` for unset string fields).
  var nonEmptyString: String? {
    guard let text = stringValue, !text.isEmpty else { return nil }
    return text
  }

  /// `[{key, value}]` pairs (MLflow's tags and params) as a dictionary; the last value wins.
  var keyValuePairs: [String: String] {
    var pairs: [String: String] = [:]
    for element in elements {
      if let key = element["key"]?.stringValue { pairs[key] = element["value"]?.stringValue ?? "" }
    }
    return pairs
  }

  /// A string-to-string map (`trace_metadata`, trace `tags`).
  var stringMap: [String: String] {
    var map: [String: String] = [:]
    for (key, value) in members { map[key] = value.stringValue ?? value.pythonJSON }
    return map
  }

  /// `[{key, value}]` for MLflow's tags and params, sorted by key.
  static func keyValueList(_ pairs: [String: String]) -> JSONValue {
    .array(pairs.sorted { $0.key < $1.key }.map { .object([("key", .string($0.key)), ("value", .string($0.value))]) })
  }

  /// A JSON object of strings, sorted by key.
  static func stringObject(_ map: [String: String]) -> JSONValue {
    .object(map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
  }
}
