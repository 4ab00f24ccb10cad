import Foundation
import MLflowStore
import Testing

@testable import MLflowTracing

@Suite("Span values: the direct JSON of strings, dictionaries and arrays is the text JSONEncoder writes")
struct SpanValueTests {
  static let strings = [
    "", "plain", "with space", "quote \" and backslash \\", "slash / stays", "new\nline\ttab\r\u{08}\u{0C}",
    "control \u{01}\u{1F} and DEL \u{7F}", "é, e\u{301}, ﬁ, 😀, \u{2028}", "10", "9", "A", "a", "_", "-",
  ]

  static func encoded(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  @Test func dictionaryOfStrings() throws {
    var object: [String: String] = [:]
    for (index, key) in Self.strings.enumerated() { object[key] = Self.strings[(index + 3) % Self.strings.count] }
    #expect(SpanValue.json(object) == (try Self.encoded(object)))
    #expect(SpanValue.json([String: String]()) == (try Self.encoded([String: String]())))
    #expect(SpanValue.json(["question": "What is MLflow?"]) == #"{"question":"What is MLflow?"}"#)
  }

  @Test func arrayOfStrings() throws {
    #expect(SpanValue.json(Self.strings) == (try Self.encoded(Self.strings)))
    #expect(SpanValue.json([String]()) == "[]")
  }

  @Test func otherValuesStillGoThroughTheEncoder() throws {
    let nested = ["documents": ["a", "b/c"]]
    #expect(SpanValue.json(nested) == (try Self.encoded(nested)))
    #expect(SpanValue.json(["count": 2]) == #"{"count":2}"#)
  }
}
