import MLflowStore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns Swift values into the JSON texts MLflow keeps as span attributes, inputs and outputs.
enum SpanValue {
  /// `value` as JSON: strings, numbers and booleans directly, anything else `Encodable`
  /// through `JSONEncoder` with sorted keys. A value that cannot be encoded (a `Double.nan`, a
  /// throwing `encode(to:)`) is kept as the JSON string of its description rather than lost.
  static func json(_ value: some Encodable) -> String {
    switch value {
    case let text as String: return JSONText.string(text)
    case let number as Int: return String(number)
    case let flag as Bool: return flag ? "true" : "false"
    case let number as Double where number.isFinite: return "\(number)"
    // The usual inputs and outputs, written directly: the text `encoder` writes, without its cost.
    case let object as [String: String]: return json(object)
    case let strings as [String]: return json(strings)
    default: break
    }
    guard let data = try? encoder.encode(value) else { return JSONText.string(String(describing: value)) }
    return String(decoding: data, as: UTF8.self)
  }

  private static let encoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  /// As `encoder` writes it: keys sorted by their UTF-8 bytes, no spaces.
  private static func json(_ object: [String: String]) -> String {
    var output = "{"
    for (index, key) in object.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
      if index > 0 { output += "," }
      JSONValue.writeString(key, to: &output)
      output += ":"
      JSONValue.writeString(object[key] ?? "", to: &output)
    }
    return output + "}"
  }

  private static func json(_ strings: [String]) -> String {
    var output = "["
    for (index, string) in strings.enumerated() {
      if index > 0 { output += "," }
      JSONValue.writeString(string, to: &output)
    }
    return output + "]"
  }

  /// `text` cut to `limit` characters, ending in `...` when cut, as MLflow truncates trace
  /// metadata (250) and previews (1000).
  static func truncated(_ text: String, to limit: Int) -> String {
    guard text.count > limit else { return text }
    return String(text.prefix(limit - 3)) + "..."
  }
}
