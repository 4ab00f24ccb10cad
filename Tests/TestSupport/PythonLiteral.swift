import Foundation

/// `value` as a Python string literal, for code the tests hand to Python.
package func pythonLiteral(_ value: String) -> String {
  let data = try! JSONSerialization.data(withJSONObject: [value], options: [.withoutEscapingSlashes])
  return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
}
