/// Why an MLflow tracking store operation failed.
///
/// Each error says what happened and what to do about it. Match on ``code`` to react to a
/// particular case, for example to keep records locally when no store can be created:
///
/// ```swift
/// do {
///   let store = try SQLiteTrackingStore(databasePath: databasePath, options: .init(createIfMissing: false))
///   _ = try await store.loggedModel(id: modelID)
/// } catch let error where error.code == .storeNotCreated {
///   print("no MLflow database yet:", error)
/// }
/// ```
public struct MLflowStoreError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of failure, as an extensible set of values.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Storage: String, Hashable {
      case invalidConfiguration = "invalid configuration"
      case invalidArgument = "invalid argument"
      case experimentNotFound = "experiment not found"
      case modelNotFound = "model not found"
      case tagNotFound = "tag not found"
      case traceNotFound = "trace not found"
      case alreadyExists = "already exists"
      case invalidState = "invalid state"
      case storeNotCreated = "store not created"
      case storeCreationFailed = "store creation failed"
      case unsupportedSchema = "unsupported schema"
      case corruptDatabase = "corrupt database"
      case databaseBusy = "database busy"
      case readOnlyDatabase = "read-only database"
      case databaseError = "database error"
      case unauthenticated = "unauthenticated"
      case permissionDenied = "permission denied"
      case storeUnavailable = "store unavailable"
      case serverError = "server error"
      case unexpectedResponse = "unexpected response"
    }
    fileprivate let storage: Storage

    /// A tracking URI or experiment setting (an environment variable or a repository setting)
    /// has a value that cannot be used; the message names the setting and the value.
    public static let invalidConfiguration = Code(storage: .invalidConfiguration)
    /// A value passed to the store is not acceptable to MLflow (a model name with `/`, a span
    /// attribute that is not JSON, a filter value MLflow cannot quote, …).
    public static let invalidArgument = Code(storage: .invalidArgument)
    /// No experiment has the requested ID or name.
    public static let experimentNotFound = Code(storage: .experimentNotFound)
    /// No logged model has the requested ID (or it was deleted).
    public static let modelNotFound = Code(storage: .modelNotFound)
    /// The logged model has no tag with the requested key.
    public static let tagNotFound = Code(storage: .tagNotFound)
    /// No trace has the requested ID.
    public static let traceNotFound = Code(storage: .traceNotFound)
    /// An experiment with that name, or a trace with that ID, already exists.
    public static let alreadyExists = Code(storage: .alreadyExists)
    /// The operation needs an active experiment, but the experiment is deleted.
    public static let invalidState = Code(storage: .invalidState)
    /// There is no MLflow database yet and no `mlflow` executable to create one with. Nothing
    /// was written; a caller can keep its records elsewhere and retry later.
    public static let storeNotCreated = Code(storage: .storeNotCreated)
    /// `mlflow db upgrade` ran but did not create a database; nothing was left behind.
    public static let storeCreationFailed = Code(storage: .storeCreationFailed)
    /// The file is an SQLite database, but not one with the MLflow tables and columns this
    /// store reads and writes (not MLflow's, from a too old MLflow, or changed incompatibly).
    public static let unsupportedSchema = Code(storage: .unsupportedSchema)
    /// The file is not a valid SQLite database.
    public static let corruptDatabase = Code(storage: .corruptDatabase)
    /// Another connection kept the database locked for longer than the busy timeout.
    public static let databaseBusy = Code(storage: .databaseBusy)
    /// The database can be read but not written (file or directory permissions, read-only
    /// file system).
    public static let readOnlyDatabase = Code(storage: .readOnlyDatabase)
    /// Any other SQLite failure (disk full, I/O error, …); the message has SQLite's words.
    public static let databaseError = Code(storage: .databaseError)
    /// The tracking server wants credentials and got none, or wrong ones (HTTP 401,
    /// `UNAUTHENTICATED`); set `MLFLOW_TRACKING_USERNAME` and `MLFLOW_TRACKING_PASSWORD`, or
    /// `MLFLOW_TRACKING_TOKEN`.
    public static let unauthenticated = Code(storage: .unauthenticated)
    /// The credentials are valid but lack the permission for this operation (HTTP 403,
    /// `PERMISSION_DENIED`).
    public static let permissionDenied = Code(storage: .permissionDenied)
    /// The tracking server could not be reached or did not answer in time (connection refused,
    /// timeout, HTTP 502/503/504 or 429 after the retries). Nothing is known to have been
    /// written; try again later.
    public static let storeUnavailable = Code(storage: .storeUnavailable)
    /// The tracking server answered that it failed (HTTP 500, `INTERNAL_ERROR`); the message
    /// has the server's words.
    public static let serverError = Code(storage: .serverError)
    /// The answer is not MLflow's: an HTML page, a body that is not complete JSON, or an
    /// endpoint the server does not have (not an MLflow tracking server, or too old a one).
    public static let unexpectedResponse = Code(storage: .unexpectedResponse)

    public var description: String { storage.rawValue }
  }

  /// The kind of failure.
  public let code: Code
  /// A sentence saying what happened and what to do.
  public let message: String

  package init(code: Code, message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
