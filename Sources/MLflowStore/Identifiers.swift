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

  /// `bytes` random bytes as lowercase hex. The system generator is drawn 8 bytes at a time: each
  /// draw is a `getrandom` system call, and span and trace IDs are made on the traced caller's
  /// path.
  package static func randomHex(bytes count: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 7)
    while bytes.count < count {
      withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
    }
    return hex(bytes.prefix(count))
  }

  /// 16 bytes as lowercase hex: the current time in milliseconds since the Unix epoch (6 bytes,
  /// big-endian), then 10 random bytes — the layout of a UUIDv7, and random in the right-most 7
  /// bytes as W3C Trace Context (level 2) asks of trace IDs.
  package static func timeOrderedHex(milliseconds: Int64) -> String {
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(22)
    for shift in stride(from: 40, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: milliseconds >> Int64(shift))) }
    while bytes.count < 16 {
      withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
    }
    return hex(bytes.prefix(16))
  }

  /// `true` when `text` is exactly `digits` lowercase hex digits.
  package static func isLowercaseHex(_ text: some StringProtocol, digits: Int) -> Bool {
    text.utf8.count == digits && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }

  /// `true` for a trace ID this store writes: `tr-` and 32 lowercase hex digits.
  package static func isTraceID(_ text: String) -> Bool {
    text.hasPrefix("tr-") && isLowercaseHex(text.dropFirst(3), digits: 32)
  }

  private static func hex(_ bytes: ArraySlice<UInt8>) -> String {
    String(unsafeUninitializedCapacity: bytes.count * 2) { text in
      var index = 0
      for byte in bytes {
        text[index] = hexDigit(byte >> 4)
        text[index + 1] = hexDigit(byte & 0x0f)
        index += 2
      }
      return index
    }
  }

  private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }
}
