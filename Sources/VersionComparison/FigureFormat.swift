/// How reports write numbers: `1,204`, `2.1%`, `812 ms`, `2.41 s`, `34.9`, `$0.00750`, and
/// signed changes (`−172 ms (−21%)`, `+1.5 pp`).
package enum FigureFormat {
  /// A side's value of `row`, or `—` when it has none.
  package static func value(_ value: Double?, unit: ComparisonRow.Unit) -> String {
    guard let value else { return "—" }
    switch unit {
    case .count: return grouped(value)
    case .ratio: return fixed(value * 100, decimals: value * 100 >= 10 || value == 0 ? 1 : 2) + "%"
    case .milliseconds: return duration(value)
    case .tokens: return abs(value) >= 100 ? grouped(value) : fixed(value, decimals: 1)
    case .dollars: return "$" + significant(value, digits: 3)
    case .score: return fixed(value, decimals: abs(value) >= 1 ? 2 : 3)
    }
  }

  /// `row`'s value for one side, with the count it is made of when the unit needs it:
  /// `2.1% (25)`, `0.833 (n=12)`.
  static func valueWithCount(_ row: ComparisonRow, a: Bool) -> String {
    let number = value(a ? row.a : row.b, unit: row.unit)
    guard (a ? row.a : row.b) != nil, let count = a ? row.countA : row.countB else { return number }
    switch row.unit {
    case .ratio: return number + " (\(grouped(Double(count))))"
    case .score: return number + " (n=\(grouped(Double(count))))"
    default: return number
    }
  }

  /// `b − a` of `row`, signed, with the relative change for latency, tokens and cost; `±0` for
  /// no change, `—` when a side has no value.
  static func delta(_ row: ComparisonRow) -> String {
    guard let delta = row.delta else { return "—" }
    if delta == 0 { return "±0" }
    let relative = row.relativeDelta.map { " (" + signed(fixed($0 * 100, decimals: abs($0) >= 0.1 ? 0 : 1), $0) + "%)" } ?? ""
    switch row.unit {
    case .count: return signed(grouped(abs(delta)), delta)
    case .ratio: return signed(fixed(abs(delta) * 100, decimals: 1), delta) + " pp"
    case .milliseconds: return signed(duration(abs(delta)), delta) + relative
    case .tokens: return signed(value(abs(delta), unit: .tokens), delta) + relative
    case .dollars: return signed("$" + significant(abs(delta), digits: 3), delta) + relative
    case .score: return signed(value(abs(delta), unit: .score), delta)
    }
  }

  /// `812 ms`, `81.5 ms`, `2.41 s`, `152 s`.
  static func duration(_ milliseconds: Double) -> String {
    if milliseconds < 100 && milliseconds != milliseconds.rounded() { return fixed(milliseconds, decimals: 1) + " ms" }
    if milliseconds < 1000 { return fixed(milliseconds, decimals: 0) + " ms" }
    if milliseconds < 100_000 { return fixed(milliseconds / 1000, decimals: 2) + " s" }
    return grouped(milliseconds / 1000) + " s"
  }

  /// `text` (a magnitude) with `+` or `−` by the sign of `value`; no sign for zero.
  static func signed(_ text: String, _ value: Double) -> String {
    let magnitude = text.hasPrefix("-") ? String(text.dropFirst()) : text
    if value > 0 { return "+" + magnitude }
    if value < 0 { return "−" + magnitude }
    return magnitude
  }

  /// `value` rounded to a whole number, with thousands separators: `1,204`.
  static func grouped(_ value: Double) -> String {
    fixed(value, decimals: 0)
  }

  /// `value` with `decimals` digits after the point, thousands separated.
  static func fixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return String(value) }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e18 else { return String(value) }
    var digits = String(Int64(scaled))
    if digits.count <= decimals { digits = String(repeating: "0", count: decimals + 1 - digits.count) + digits }
    let whole = String(digits.dropLast(decimals))
    var groupedWhole = ""
    for (index, character) in whole.enumerated() {
      if index > 0 && (whole.count - index) % 3 == 0 { groupedWhole.append(",") }
      groupedWhole.append(character)
    }
    let sign = value < 0 && scaled != 0 ? "-" : ""
    return sign + groupedWhole + (decimals > 0 ? "." + digits.suffix(decimals) : "")
  }

  /// `value` with `digits` significant digits, in plain decimal notation: `0.00000750`, `1.25`.
  static func significant(_ value: Double, digits: Int) -> String {
    guard value != 0, value.isFinite else { return fixed(value, decimals: digits - 1) }
    var decimals = 0
    var magnitude = abs(value)
    var threshold = 1.0
    for _ in 1..<digits { threshold *= 10 }
    while magnitude.rounded() < threshold && decimals < 15 {
      magnitude *= 10
      decimals += 1
    }
    return fixed(value, decimals: decimals)
  }
}
