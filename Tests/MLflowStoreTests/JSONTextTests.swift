import MLflowStore
import Testing

@Suite("JSON texts: validation and parsing agree")
struct JSONTextValidityTests {
  static let texts = [
    #"{"a": [1, -2.5e+3, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9"]}"#, " [ ] ", "{}", "\"\"", "0", "-0", "NaN",
    "Infinity", "-Infinity", #""\ud83d\ude00""#, #""\ud800""#, #""\ud800\u0041""#, "1e400",
    // Refused
    "", " ", "01", "1.", ".5", "1e", "+1", "-", "[1,]", "{\"a\" 1}", "{\"a\": 1,}", "{a: 1}", "[1] x", "\"\u{01}\"",
    #""\x""#, #""\u12g4""#, #""\ud800\uZZZZ""#, "\"open", "tru", "nul", "-NaN",
  ]

  @Test("JSONText.isValid accepts exactly the texts JSONValue.parse reads", arguments: texts)
  func validationAgreesWithParsing(text: String) {
    #expect(JSONText.isValid(text) == (JSONValue.parse(text) != nil))
  }

  @Test("A high surrogate escape followed by another escape keeps the other character, as Python's json.loads does")
  func loneHighSurrogate() {
    #expect(JSONValue.parse(#""\ud800\u0041""#) == .string("\u{FFFD}A"))
    #expect(JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
  }
}
