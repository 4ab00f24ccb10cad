/// A parsed JSON value that keeps what MLflow's JSON keeps: whether a number was an integer,
/// and the order of object keys.
///
/// Rendered with ``pythonJSON``, it reads as Python's `json.dumps(…, ensure_ascii=False)` would
/// write it, the format of MLflow's span content and trace metadata. The REST store reads and
/// writes MLflow's API bodies with it too.
package enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case integer(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([(key: String, value: JSONValue)])

  package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): true
    case (.bool(let a), .bool(let b)): a == b
    case (.integer(let a), .integer(let b)): a == b
    case (.double(let a), .double(let b)): a == b
    case (.string(let a), .string(let b)): a == b
    case (.array(let a), .array(let b)): a == b
    case (.object(let a), .object(let b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
    default: false
    }
  }

  /// The value for `key` when this is an object.
  package subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  /// The string, when this is a JSON string.
  package var stringValue: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  /// The text Python's `json.dumps(value, ensure_ascii=False)` produces for this value.
  package var pythonJSON: String {
    var output = ""
    write(to: &output)
    return output
  }

  private func write(to output: inout String) {
    switch self {
    case .null: output += "null"
    case .bool(let value): output += value ? "true" : "false"
    case .integer(let value): output += String(value)
    case .double(let value):
      if value.isNaN {
        output += "NaN"
      } else if value.isInfinite {
        output += value < 0 ? "-Infinity" : "Infinity"
      } else {
        output += String(value)
      }
    case .string(let value): JSONValue.writeString(value, to: &output)
    case .array(let elements):
      output += "["
      for (index, element) in elements.enumerated() {
        if index > 0 { output += ", " }
        element.write(to: &output)
      }
      output += "]"
    case .object(let members):
      output += "{"
      for (index, member) in members.enumerated() {
        if index > 0 { output += ", " }
        JSONValue.writeString(member.key, to: &output)
        output += ": "
        member.value.write(to: &output)
      }
      output += "}"
    }
  }

  /// Writes `text` as a JSON string the way Python does with `ensure_ascii=False`: only `"`,
  /// `\` and control characters are escaped.
  package static func writeString(_ text: String, to output: inout String) {
    output += "\""
    if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
      output += text
      output += "\""
      return
    }
    // Byte by byte: every byte of a multi-byte character is ≥ 0x80 and passes through, so
    // non-ASCII text is kept as it is (Python's `ensure_ascii=False`).
    var escaped: [UInt8] = []
    escaped.reserveCapacity(text.utf8.count + 16)
    for byte in text.utf8 {
      let escape: UInt8
      switch byte {
      case 0x22, 0x5C: escape = byte
      case 0x0A: escape = UInt8(ascii: "n")
      case 0x0D: escape = UInt8(ascii: "r")
      case 0x09: escape = UInt8(ascii: "t")
      case 0x08: escape = UInt8(ascii: "b")
      case 0x0C: escape = UInt8(ascii: "f")
      case ..<0x20: escape = UInt8(ascii: "u")
      default:
        escaped.append(byte)
        continue
      }
      escaped.append(0x5C)
      escaped.append(escape)
      if escape == UInt8(ascii: "u") {
        let digits = "0123456789abcdef".utf8
        escaped.append(0x30)
        escaped.append(0x30)
        escaped.append(digits[digits.index(digits.startIndex, offsetBy: Int(byte >> 4))])
        escaped.append(digits[digits.index(digits.startIndex, offsetBy: Int(byte & 0x0F))])
      }
    }
    output += String(decoding: escaped, as: UTF8.self)
    output += "\""
  }

  /// Parses one JSON text (a whole document: object, array or scalar); `nil` when it is not
  /// valid JSON. Accepts `NaN` and `Infinity`, which Python writes.
  package static func parse(_ text: String) -> JSONValue? {
    var parser = Parser(bytes: Array(text.utf8))
    guard let value = parser.parseValue() else { return nil }
    parser.skipWhitespace()
    return parser.isAtEnd ? value : nil
  }

  private struct Parser {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { position == bytes.count }

    mutating func skipWhitespace() {
      while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
    }

    mutating func consume(_ literal: String) -> Bool {
      let expected = Array(literal.utf8)
      guard bytes.count - position >= expected.count,
        Array(bytes[position..<position + expected.count]) == expected
      else { return false }
      position += expected.count
      return true
    }

    mutating func parseValue() -> JSONValue? {
      skipWhitespace()
      guard position < bytes.count else { return nil }
      switch bytes[position] {
      case UInt8(ascii: "{"): return parseObject()
      case UInt8(ascii: "["): return parseArray()
      case UInt8(ascii: "\""): return parseString().map { .string($0) }
      case UInt8(ascii: "t"): return consume("true") ? .bool(true) : nil
      case UInt8(ascii: "f"): return consume("false") ? .bool(false) : nil
      case UInt8(ascii: "n"): return consume("null") ? .null : nil
      case UInt8(ascii: "N"): return consume("NaN") ? .double(.nan) : nil
      case UInt8(ascii: "I"): return consume("Infinity") ? .double(.infinity) : nil
      default: return parseNumber()
      }
    }

    mutating func parseObject() -> JSONValue? {
      position += 1
      var members: [(key: String, value: JSONValue)] = []
      skipWhitespace()
      if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
        position += 1
        return .object(members)
      }
      while true {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\""), let key = parseString() else { return nil }
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return nil }
        position += 1
        guard let value = parseValue() else { return nil }
        members.append((key, value))
        skipWhitespace()
        guard position < bytes.count else { return nil }
        if bytes[position] == UInt8(ascii: ",") {
          position += 1
        } else if bytes[position] == UInt8(ascii: "}") {
          position += 1
          return .object(members)
        } else {
          return nil
        }
      }
    }

    mutating func parseArray() -> JSONValue? {
      position += 1
      var elements: [JSONValue] = []
      skipWhitespace()
      if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
        position += 1
        return .array(elements)
      }
      while true {
        guard let element = parseValue() else { return nil }
        elements.append(element)
        skipWhitespace()
        guard position < bytes.count else { return nil }
        if bytes[position] == UInt8(ascii: ",") {
          position += 1
        } else if bytes[position] == UInt8(ascii: "]") {
          position += 1
          return .array(elements)
        } else {
          return nil
        }
      }
    }

    mutating func parseString() -> String? {
      position += 1
      var scalars = String.UnicodeScalarView()
      var runStart = position
      func flush(_ end: Int, into scalars: inout String.UnicodeScalarView, bytes: [UInt8]) {
        if end > runStart { scalars.append(contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars) }
      }
      while position < bytes.count {
        let byte = bytes[position]
        if byte == UInt8(ascii: "\"") {
          flush(position, into: &scalars, bytes: bytes)
          position += 1
          return String(scalars)
        }
        if byte < 0x20 { return nil }
        if byte != UInt8(ascii: "\\") {
          position += 1
          continue
        }
        flush(position, into: &scalars, bytes: bytes)
        position += 1
        guard position < bytes.count else { return nil }
        let escape = bytes[position]
        position += 1
        switch escape {
        case UInt8(ascii: "\""): scalars.append("\"")
        case UInt8(ascii: "\\"): scalars.append("\\")
        case UInt8(ascii: "/"): scalars.append("/")
        case UInt8(ascii: "b"): scalars.append("\u{08}")
        case UInt8(ascii: "f"): scalars.append("\u{0C}")
        case UInt8(ascii: "n"): scalars.append("\n")
        case UInt8(ascii: "r"): scalars.append("\r")
        case UInt8(ascii: "t"): scalars.append("\t")
        case UInt8(ascii: "u"):
          guard var code = parseHex4() else { return nil }
          let afterEscape = position
          if (0xD800..<0xDC00).contains(code), consume("\\u") {
            guard let low = parseHex4() else { return nil }
            if (0xDC00..<0xE000).contains(low) {
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else {
              position = afterEscape  // not a pair: the next escape is a character of its own
            }
          }
          // A lone surrogate cannot be a Swift character; Python would keep it, we substitute.
          scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
        default:
          return nil
        }
        runStart = position
      }
      return nil
    }

    mutating func parseHex4() -> UInt32? {
      guard bytes.count - position >= 4 else { return nil }
      var value: UInt32 = 0
      for byte in bytes[position..<position + 4] {
        guard let digit = hexDigit(byte) else { return nil }
        value = value << 4 | UInt32(digit)
      }
      position += 4
      return value
    }

    func hexDigit(_ byte: UInt8) -> UInt8? {
      switch byte {
      case 48...57: byte - 48
      case 65...70: byte - 55
      case 97...102: byte - 87
      default: nil
      }
    }

    mutating func parseNumber() -> JSONValue? {
      let start = position
      var isInteger = true
      if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
        position += 1
        if consume("Infinity") { return .double(-.infinity) }
      }
      let digitsStart = position
      while position < bytes.count, (48...57).contains(bytes[position]) { position += 1 }
      guard position > digitsStart else { return nil }
      if bytes[digitsStart] == 48, position - digitsStart > 1 { return nil }
      if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
        isInteger = false
        position += 1
        let fractionStart = position
        while position < bytes.count, (48...57).contains(bytes[position]) { position += 1 }
        guard position > fractionStart else { return nil }
      }
      if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
        isInteger = false
        position += 1
        if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
          position += 1
        }
        let exponentStart = position
        while position < bytes.count, (48...57).contains(bytes[position]) { position += 1 }
        guard position > exponentStart else { return nil }
      }
      let text = String(decoding: bytes[start..<position], as: UTF8.self)
      if isInteger, let integer = Int64(text) { return .integer(integer) }
      return Double(text).map { .double($0) }
    }
  }
}

extension JSONValue {
  /// `true` exactly when ``parse(_:)`` would parse `text`, found without building the value.
  package static func isValid(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
      var validator = Validator(bytes: bytes)
      guard validator.value() else { return false }
      validator.skipWhitespace()
      return validator.position == bytes.count
    }
  }

  /// ``Parser``'s grammar, checked byte by byte.
  private struct Validator {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
      while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func consume(_ literal: StaticString) -> Bool {
      let count = literal.utf8CodeUnitCount
      guard bytes.count - position >= count else { return false }
      for offset in 0..<count where bytes[position + offset] != literal.utf8Start[offset] { return false }
      position += count
      return true
    }

    mutating func value() -> Bool {
      skipWhitespace()
      guard let byte = current else { return false }
      switch byte {
      case UInt8(ascii: "{"): return members(closing: UInt8(ascii: "}"), keyed: true)
      case UInt8(ascii: "["): return members(closing: UInt8(ascii: "]"), keyed: false)
      case UInt8(ascii: "\""): return string()
      case UInt8(ascii: "t"): return consume("true")
      case UInt8(ascii: "f"): return consume("false")
      case UInt8(ascii: "n"): return consume("null")
      case UInt8(ascii: "N"): return consume("NaN")
      case UInt8(ascii: "I"): return consume("Infinity")
      default: return number()
      }
    }

    /// An object's members (`keyed`) or an array's elements, after the opening bracket.
    private mutating func members(closing: UInt8, keyed: Bool) -> Bool {
      position += 1
      skipWhitespace()
      if current == closing {
        position += 1
        return true
      }
      while true {
        if keyed {
          skipWhitespace()
          guard current == UInt8(ascii: "\""), string() else { return false }
          skipWhitespace()
          guard current == UInt8(ascii: ":") else { return false }
          position += 1
        }
        guard value() else { return false }
        skipWhitespace()
        switch current {
        case UInt8(ascii: ","): position += 1
        case closing:
          position += 1
          return true
        default: return false
        }
      }
    }

    private mutating func string() -> Bool {
      position += 1
      while let byte = current {
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return true
        case ..<0x20: return false
        case UInt8(ascii: "\\"):
          guard let escape = current else { return false }
          position += 1
          switch escape {
          case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            continue
          case UInt8(ascii: "u"):
            guard hex4() else { return false }
          default: return false
          }
        default: continue
        }
      }
      return false
    }

    /// Four hex digits (a `\u` escape's; a second `\uXXXX` after a high surrogate is read
    /// as another escape, which accepts the same texts).
    private mutating func hex4() -> Bool {
      guard bytes.count - position >= 4 else { return false }
      for offset in 0..<4 {
        switch bytes[position + offset] {
        case 48...57, 65...70, 97...102: continue
        default: return false
        }
      }
      position += 4
      return true
    }

    private mutating func number() -> Bool {
      if current == UInt8(ascii: "-") {
        position += 1
        if consume("Infinity") { return true }
      }
      let digitsStart = position
      skipDigits()
      guard position > digitsStart else { return false }
      if bytes[digitsStart] == 48, position - digitsStart > 1 { return false }
      if current == UInt8(ascii: ".") {
        position += 1
        let fractionStart = position
        skipDigits()
        guard position > fractionStart else { return false }
      }
      if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
        position += 1
        if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
        let exponentStart = position
        skipDigits()
        guard position > exponentStart else { return false }
      }
      return true
    }

    private mutating func skipDigits() {
      while let byte = current, (48...57).contains(byte) { position += 1 }
    }
  }
}
