#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The current time in the unit MLflow stores (`int(time.time() * 1000)`).
enum Clock {
  /// Milliseconds since the Unix epoch.
  static func nowMilliseconds() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
  }
}
