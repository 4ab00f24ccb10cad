#if canImport(Glibc)
import Glibc
#endif

extension TraceWindow {
  /// The time `text` names, in milliseconds since the Unix epoch, or `nil` when it names none:
  ///
  /// - a duration before `now`: `90m`, `36h`, `7d`, `2w`;
  /// - a date, `2026-11-01` (its start), or a date and time, `2026-11-01T09:30`,
  ///   `2026-11-01 09:30:15`, in local time unless it ends with `Z` or an offset
  ///   (`+02:00`, `-0500`).
  ///
  /// ```swift
  /// let weekAgo = TraceWindow.time(from: "7d", now: nowMillis)
  /// let november = TraceWindow.time(from: "2026-11-01T00:00Z", now: 0)     // 1_793_491_200_000
  /// ```
  package static func time(from text: String, now: Int64) -> Int64? {
    if let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0 {
      let minutes: Int64? =
        switch unit {
        case "m": 1
        case "h": 60
        case "d": 1440
        case "w": 10080
        default: nil
        }
      if let minutes { return now - amount * minutes * 60_000 }
    }
    return dateTime(text)
  }

  /// A date or date and time in ISO 8601's extended form.
  private static func dateTime(_ text: String) -> Int64? {
    let characters = Array(text)
    func number(_ start: Int, _ count: Int) -> Int32? {
      guard start + count <= characters.count else { return nil }
      let digits = characters[start..<start + count]
      guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
      return Int32(String(digits))
    }
    guard characters.count >= 10, characters[4] == "-", characters[7] == "-",
      let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), (1...12).contains(month),
      (1...31).contains(day)
    else { return nil }
    var parts = tm()
    parts.tm_year = year - 1900
    parts.tm_mon = month - 1
    parts.tm_mday = day
    parts.tm_isdst = -1
    var index = 10
    if index < characters.count {
      guard characters[index] == "T" || characters[index] == " ", let hour = number(index + 1, 2),
        index + 3 < characters.count, characters[index + 3] == ":", let minute = number(index + 4, 2),
        hour < 24, minute < 60
      else { return nil }
      parts.tm_hour = hour
      parts.tm_min = minute
      index += 6
      if index < characters.count, characters[index] == ":" {
        guard let second = number(index + 1, 2), second < 61 else { return nil }
        parts.tm_sec = second
        index += 3
      }
    }
    let rest = String(characters[index...])
    var offsetSeconds: Int?
    if rest == "Z" || rest == "z" {
      offsetSeconds = 0
    } else if let sign = rest.first, sign == "+" || sign == "-" {
      let digits = rest.dropFirst().filter { $0 != ":" }
      guard digits.count == 4, let hours = Int(digits.prefix(2)), let minutes = Int(digits.suffix(2)) else {
        return nil
      }
      offsetSeconds = (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    } else if !rest.isEmpty {
      return nil
    }
    let seconds: Int
    if let offsetSeconds {
      seconds = Int(timegm(&parts)) - offsetSeconds
    } else {
      let local = mktime(&parts)
      guard local != -1 else { return nil }
      seconds = Int(local)
    }
    return Int64(seconds) * 1000
  }
}
