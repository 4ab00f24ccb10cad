/// The API key, kept out of everything that prints: its description, debug description and
/// mirror are `***`, and ``redacting(_:)`` removes it from text a server sends back.
struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  let value: String

  var description: String { "***" }
  var debugDescription: String { "***" }
  var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

  /// The `Authorization` header value.
  var bearer: String { "Bearer " + value }

  /// `text` with every occurrence of the key replaced by `***`.
  func redacting(_ text: String) -> String {
    guard !value.isEmpty else { return text }
    return text.replacing(value, with: "***")
  }
}
