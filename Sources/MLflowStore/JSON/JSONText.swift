/// Helpers for the JSON texts MLflow keeps as span attribute values.
///
/// # Usage
/// ```swift
/// let type = JSONText.string("CHAT_MODEL")        // "\"CHAT_MODEL\""
/// let valid = JSONText.isValid(#"{"q": "hi"}"#)    // true
/// ```
package enum JSONText {
  /// `value` as a JSON string literal, escaped as Python's `json.dumps(value, ensure_ascii=False)`
  /// escapes it.
  package static func string(_ value: String) -> String {
    var output = ""
    JSONValue.writeString(value, to: &output)
    return output
  }

  /// `true` when `text` is one complete JSON value.
  package static func isValid(_ text: String) -> Bool {
    JSONValue.isValid(text)
  }
}
