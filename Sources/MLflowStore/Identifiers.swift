#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// MLflow's ID formats: model IDs, trace IDs, span IDs, and the base64 form span content uses.
package enum Identifiers {
  /// A new model ID as MLflow makes one: `m-` and a UUID4's 32 lowercase hex digits.
  package static func newModelID() -> String {
    "m-" + String(UUID().uuidString.lowercased().filter { $0 != "-" })
  }

  /// `bytes` random bytes as lowercase hex.
  package static func randomHex(bytes count: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return hex((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
  }

  /// `true` when `text` is exactly `digits` lowercase hex digits.
  package static func isLowercaseHex(_ text: some StringProtocol, digits: Int) -> Bool {
    text.utf8.count == digits && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }

  /// `true` for a trace ID this store writes: `tr-` and 32 lowercase hex digits.
  package static func isTraceID(_ text: String) -> Bool {
    text.hasPrefix("tr-") && isLowercaseHex(text.dropFirst(3), digits: 32)
  }

  /// The base64 text of the bytes a hex string spells (MLflow's span content keeps IDs so).
  package static func base64(fromHex hexText: some StringProtocol) -> String {
    var bytes: [UInt8] = []
    var high: UInt8?
    for byte in hexText.utf8 {
      let nibble = byte <= 57 ? byte - 48 : byte - 87
      if let first = high {
        bytes.append(first << 4 | nibble)
        high = nil
      } else {
        high = nibble
      }
    }
    return Data(bytes).base64EncodedString()
  }

  private static func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}
