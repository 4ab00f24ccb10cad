#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one variable from a caller-given environment, or from this process's without building
/// the whole dictionary (that costs tens of microseconds; `getenv` costs nanoseconds).
enum Environment {
  static func value(_ name: String, in environment: [String: String]?) -> String? {
    if let environment { return environment[name] }
    return getenv(name).map { String(cString: $0) }
  }
}
