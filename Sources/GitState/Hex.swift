/// The bytes of a lowercase hex constant (empty when it is not hex).
func hexBytes(_ hex: String) -> [UInt8] {
  hexBytesIfValid(hex) ?? []
}

/// The bytes of a lowercase hex string, or `nil` when it is not one.
func hexBytesIfValid(_ hex: String) -> [UInt8]? {
  let utf8 = Array(hex.utf8)
  guard utf8.count % 2 == 0 else { return nil }
  var bytes: [UInt8] = []
  bytes.reserveCapacity(utf8.count / 2)
  var index = 0
  while index < utf8.count {
    guard let high = hexDigit(utf8[index]), let low = hexDigit(utf8[index + 1]) else { return nil }
    bytes.append(high << 4 | low)
    index += 2
  }
  return bytes
}

private func hexDigit(_ character: UInt8) -> UInt8? {
  switch character {
  case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
  case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
  default: nil
  }
}

/// Lowercase hex of `bytes`.
func hexString<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
  let digits = Array("0123456789abcdef".utf8)
  var text: [UInt8] = []
  text.reserveCapacity(bytes.underestimatedCount * 2)
  for byte in bytes {
    text.append(digits[Int(byte >> 4)])
    text.append(digits[Int(byte & 0x0F)])
  }
  return String(decoding: text, as: UTF8.self)
}
