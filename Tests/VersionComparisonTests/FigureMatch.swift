import Foundation
import Testing

/// Compares two JSON values figure by figure: the same keys at every level, `null` where the
/// other is `null`, and numbers equal up to a relative 1e-9 (sums of floating-point costs may be
/// added in another order). Each difference is recorded as an issue naming its path.
struct FigureMatch {
  /// How many numbers were compared (a check that compared nothing proves nothing).
  private(set) var numbers = 0
  private(set) var differences: [String] = []

  mutating func compare(_ ours: Any?, _ expected: Any?, at path: String) {
    switch (ours, expected) {
    case (let ours as [String: Any], let expected as [String: Any]):
      if Set(ours.keys) != Set(expected.keys) {
        differences.append("\(path): keys \(ours.keys.sorted()) ≠ expected \(expected.keys.sorted())")
      }
      for key in Set(ours.keys).intersection(expected.keys).sorted() {
        compare(ours[key], expected[key], at: path + "." + key)
      }
    case (let ours as NSNumber, let expected as NSNumber):
      numbers += 1
      let (a, b) = (ours.doubleValue, expected.doubleValue)
      if abs(a - b) > 1e-9 * max(1, abs(a), abs(b)) { differences.append("\(path): \(a) ≠ expected \(b)") }
    case (let ours as String, let expected as String):
      if ours != expected { differences.append("\(path): \(ours) ≠ expected \(expected)") }
    case (is NSNull, is NSNull), (nil, nil):
      break
    default:
      differences.append("\(path): \(String(describing: ours)) ≠ expected \(String(describing: expected))")
    }
  }

  /// Records every difference as a test issue.
  func expectNone(sourceLocation: SourceLocation = #_sourceLocation) {
    for difference in differences { Issue.record(Comment(rawValue: difference), sourceLocation: sourceLocation) }
  }
}
