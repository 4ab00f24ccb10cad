/// The outcome of a trace, as MLflow stores it (`trace_info.status`).
public struct TraceState: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
  /// MLflow's spelling, e.g. `OK`.
  public let rawValue: String

  public init(rawValue: String) { self.rawValue = rawValue }

  /// Not set.
  public static let unspecified = TraceState(rawValue: "STATE_UNSPECIFIED")
  /// Finished without error.
  public static let ok = TraceState(rawValue: "OK")
  /// Finished with an error.
  public static let error = TraceState(rawValue: "ERROR")
  /// Still running.
  public static let inProgress = TraceState(rawValue: "IN_PROGRESS")

  public var description: String { rawValue }
}
