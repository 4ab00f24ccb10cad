/// Writes JSON text as UTF-8 bytes, directly, in the layout of Python's
/// `json.dumps(…, ensure_ascii=False)` (`", "` and `": "` between items): the text
/// ``JSONValue/pythonJSON`` gives for the same value, without building the value first.
///
/// # Usage
/// ```swift
/// var writer = PythonJSONWriter(capacity: 256)
/// writer.raw("{")
/// writer.string("name")
/// writer.raw(": ")
/// writer.integer(42)
/// writer.raw("}")
/// let text = String(decoding: writer.bytes, as: UTF8.self)  // {"name": 42}
/// ```
package struct PythonJSONWriter {
  package private(set) var bytes: [UInt8] = []

  package init(capacity: Int) { bytes.reserveCapacity(capacity) }

  /// Appends `text` as it is: punctuation and keys known to need no escaping.
  package mutating func raw(_ text: StaticString) {
    text.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  /// Appends `text` as a JSON string: only `"`, `\` and control characters are escaped, as
  /// ``JSONValue/writeString(_:to:)`` does.
  package mutating func string(_ text: String) {
    var text = text
    text.withUTF8 { utf8 in
      bytes.append(UInt8(ascii: "\""))
      var runStart = 0
      for index in utf8.indices {
        let byte = utf8[index]
        guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
        runStart = index + 1
        bytes.append(0x5C)
        switch byte {
        case 0x22, 0x5C: bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
          bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0x0F)]])
        }
      }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
      bytes.append(UInt8(ascii: "\""))
    }
  }

  package mutating func integer(_ value: Int64) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for the 19 digits of Int64.min
    withUnsafeMutableBytes(of: &digits) { buffer in
      var index = buffer.count
      repeat {
        index -= 1
        buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        magnitude /= 10
      } while magnitude > 0
      bytes.append(contentsOf: buffer[index...])
    }
  }

  /// Appends, as a JSON string, the standard base64 of the bytes the lowercase hex digits
  /// `hex` spell (how MLflow's span content writes trace and span IDs).
  package mutating func base64String(ofHex hex: Substring.UTF8View) {
    bytes.append(UInt8(ascii: "\""))
    var group: UInt32 = 0
    var groupBytes = 0
    var high: UInt8?
    for digit in hex {
      let nibble = digit <= 57 ? digit &- 48 : digit &- 87
      guard let first = high else {
        high = nibble
        continue
      }
      high = nil
      group = group << 8 | UInt32(first << 4 | nibble)
      groupBytes += 1
      if groupBytes == 3 {
        appendBase64(group, count: 3)
        group = 0
        groupBytes = 0
      }
    }
    if groupBytes > 0 { appendBase64(group << (8 * UInt32(3 - groupBytes)), count: groupBytes) }
    bytes.append(UInt8(ascii: "\""))
  }

  /// The 4 base64 characters of the 3 bytes in `group` (`count` of them real, the rest padding).
  private mutating func appendBase64(_ group: UInt32, count: Int) {
    for position in 0..<4 {
      if position > count {
        bytes.append(UInt8(ascii: "="))
      } else {
        bytes.append(Self.base64Alphabet[Int((group >> UInt32(18 - 6 * position)) & 0x3F)])
      }
    }
  }

  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
  private static let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
}

extension PythonJSONWriter {
  /// Appends a parsed value, as ``JSONValue/pythonJSON`` writes it.
  package mutating func value(_ value: JSONValue) {
    switch value {
    case .string(let text): string(text)
    case .integer(let number): integer(number)
    case .array, .object, .null, .bool, .double: bytes.append(contentsOf: value.pythonJSON.utf8)
    }
  }
}
