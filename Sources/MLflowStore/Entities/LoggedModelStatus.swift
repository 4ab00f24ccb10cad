/// The upload state of a logged model, with MLflow's integer values (`logged_models.status`).
///
/// New models start ``pending``; MLflow's git versioning never finalizes them. REST spells
/// these `LOGGED_MODEL_PENDING`, `LOGGED_MODEL_READY`, … (see ``restName``).
public struct LoggedModelStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
  /// The integer MLflow stores.
  public let rawValue: Int

  public init(rawValue: Int) { self.rawValue = rawValue }

  /// Status not set (0).
  public static let unspecified = LoggedModelStatus(rawValue: 0)
  /// Created, artifacts not (yet) uploaded (1).
  public static let pending = LoggedModelStatus(rawValue: 1)
  /// Finalized: ready to use (2).
  public static let ready = LoggedModelStatus(rawValue: 2)
  /// Finalized: the upload failed (3; Python's `LoggedModelStatus.FAILED`).
  public static let failed = LoggedModelStatus(rawValue: 3)

  /// The REST API name, e.g. `LOGGED_MODEL_READY`.
  public var restName: String {
    switch rawValue {
    case 1: "LOGGED_MODEL_PENDING"
    case 2: "LOGGED_MODEL_READY"
    case 3: "LOGGED_MODEL_UPLOAD_FAILED"
    default: "LOGGED_MODEL_STATUS_UNSPECIFIED"
    }
  }

  /// Python's name: `UNSPECIFIED`, `PENDING`, `READY` or `FAILED`.
  public var description: String {
    switch rawValue {
    case 1: "PENDING"
    case 2: "READY"
    case 3: "FAILED"
    default: "UNSPECIFIED"
    }
  }
}
