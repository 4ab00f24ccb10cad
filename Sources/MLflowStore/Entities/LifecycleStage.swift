/// Whether an MLflow entity is in use or soft-deleted, as MLflow stores it (`lifecycle_stage`).
public struct LifecycleStage: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
  /// MLflow's spelling: `active` or `deleted`.
  public let rawValue: String

  public init(rawValue: String) { self.rawValue = rawValue }

  /// In use.
  public static let active = LifecycleStage(rawValue: "active")
  /// Soft-deleted: hidden from searches, still in the database.
  public static let deleted = LifecycleStage(rawValue: "deleted")

  public var description: String { rawValue }
}
