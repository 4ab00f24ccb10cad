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
    default: break
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else { return JSONText.string(String(describing: value)) }
    return String(decoding: data, as: UTF8.self)
  }

  /// `text` cut to `limit` characters, ending in `...` when cut, as MLflow truncates trace
  /// metadata (250) and previews (1000).
  static func truncated(_ text: String, to limit: Int) -> String {
    guard text.count > limit else { return text }
    return String(text.prefix(limit - 3)) + "..."
  }
}
