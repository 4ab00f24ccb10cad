import Dispatch
import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A ``TrackingStore`` that reads and writes MLflow's own SQLite database (`mlflow.db`)
/// directly, with the rows Python MLflow 3.17 writes: Python MLflow, `mlflow server` and the UI
/// read what it writes, and it reads what they write.
///
/// **Schema.** Opening checks the tables and columns it uses (and that `alembic_version`
/// exists) and refuses, with `.unsupportedSchema`, a database that is not MLflow's or lacks
/// one of them. A newer Alembic revision is accepted when those are present. The schema is
/// never created or changed here: a missing database is created by running
/// `mlflow db upgrade`, once, under a file lock (see ``Options/createIfMissing``). Opening
/// also adds the `Default` experiment when the database has none, as MLflow does.
///
/// **Concurrency.** Each operation is one SQLite transaction: writes use `BEGIN IMMEDIATE`, so
/// a model or trace is written whole or not at all, and reads see one state. When another
/// connection holds the database locked, an operation waits up to ``Options/busyTimeout``
/// (5 s by default; MLflow waits 20 s) and then fails with `.databaseBusy`. The journal mode
/// MLflow chose is left as it is. Calls are serialized on one connection and run on the store's
/// own dispatch queue, so waiting for SQLite never blocks Swift concurrency's threads. The
/// initializer does its work (including `mlflow db upgrade`) on the calling thread; from async
/// code use ``open(databasePath:options:)``.
///
/// # Usage
/// ```swift
/// let store = try SQLiteTrackingStore(databasePath: databasePath)
/// let model = try await store.createLoggedModel(
///   experimentID: "0", name: "main-917a4c6", tags: ["mlflow.source.git.branch": "main"])
/// let found = try await store.searchLoggedModels(
///   LoggedModelSearch(experimentIDs: ["0"], tags: ["mlflow.source.git.branch": "main"]))
/// ```
public final class SQLiteTrackingStore: TrackingStore {
  /// How to open (and, when missing, create) the database.
  public struct Options: Sendable {
    /// How long an operation waits for another connection's lock before failing with
    /// `.databaseBusy`. Default 5 seconds.
    public var busyTimeout: Duration
    /// Create the database with `mlflow db upgrade` when the file does not exist. When `false`,
    /// a missing database is `.storeNotCreated`. Default `true`.
    public var createIfMissing: Bool
    /// The `mlflow` command to create a database with; `nil` uses the environment variable
    /// `MLFLOW_GIT_MLFLOW_EXECUTABLE`, then `mlflow` on `PATH`.
    public var mlflowExecutable: String?
    /// The environment to find `mlflow` in and to run it with. Default: this process's.
    public var environment: [String: String]
    /// Where experiments created here keep artifacts (`<root>/<experiment id>`); `nil` means
    /// `mlruns` next to the database. (MLflow uses `./mlruns` of its working directory, the
    /// same place when MLflow runs where the database is.)
    public var artifactRoot: String?

    /// Options with the defaults each property describes.
    public init(
      busyTimeout: Duration = .seconds(5),
      createIfMissing: Bool = true,
      mlflowExecutable: String? = nil,
      environment: [String: String] = ProcessInfo.processInfo.environment,
      artifactRoot: String? = nil
    ) {
      self.busyTimeout = busyTimeout
      self.createIfMissing = createIfMissing
      self.mlflowExecutable = mlflowExecutable
      self.environment = environment
      self.artifactRoot = artifactRoot
    }
  }

  /// The database file, as an absolute path.
  public let databasePath: String
  /// Where experiments created by this store keep their artifacts.
  public let artifactRoot: String
  /// The one connection; only used on `queue` (the mutex lets the compiler check that).
  private let connection: Mutex<SQLiteConnection>
  /// Where operations run, one at a time, off Swift concurrency's cooperative threads.
  private let queue = DispatchQueue(label: "MLflowStore.SQLiteTrackingStore")

  /// Opens the MLflow database at `databasePath`, creating it first when it is missing.
  ///
  /// - Parameters:
  ///   - databasePath: The `mlflow.db` file; a relative path is relative to the current
  ///     directory.
  ///   - options: Timeouts and how to create a missing database.
  /// - Throws: `.storeNotCreated` (no database and no `mlflow` to create it),
  ///   `.storeCreationFailed`, `.unsupportedSchema`, `.corruptDatabase`, `.databaseBusy`, or
  ///   `.databaseError`.
  public init(databasePath: String, options: Options = Options()) throws(MLflowStoreError) {
    let path = TrackingURI.absolute(databasePath, relativeTo: FileManager.default.currentDirectoryPath)
    let root = options.artifactRoot ?? DatabaseBootstrap.parentDirectory(of: path) + "/mlruns"
    let timeout = options.busyTimeout.components
    let milliseconds = Int32(clamping: timeout.seconds * 1000 + timeout.attoseconds / 1_000_000_000_000_000)
    if !FileManager.default.fileExists(atPath: path) {
      guard options.createIfMissing else {
        throw MLflowStoreError(
          code: .storeNotCreated,
          message: "there is no MLflow database at '\(path)'; create it with "
            + "`mlflow db upgrade \(TrackingURI.sqlite(path: path))`")
      }
      try DatabaseBootstrap.createIfMissing(
        DatabaseBootstrap.Plan(
          databasePath: path, mlflowExecutable: options.mlflowExecutable, environment: options.environment,
          artifactRoot: root, busyTimeoutMilliseconds: milliseconds))
    }
    let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: milliseconds)
    try MLflowSchema.verify(connection)
    do throws(MLflowStoreError) {
      try DefaultExperiment.insertIfMissing(into: connection, artifactRoot: root)
    } catch where error.code == .readOnlyDatabase {
      // A read-only database can still be searched; writes will report that it is read-only.
    }
    self.databasePath = path
    self.artifactRoot = root
    self.connection = Mutex(connection)
  }

  /// Opens the store like ``init(databasePath:options:)`` without blocking the caller's thread
  /// while the database is checked or created.
  public static func open(
    databasePath: String,
    options: Options = Options()
  ) async throws(MLflowStoreError) -> SQLiteTrackingStore {
    let result: Result<SQLiteTrackingStore, MLflowStoreError> = await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(returning: Result { () throws(MLflowStoreError) -> SQLiteTrackingStore in
          try SQLiteTrackingStore(databasePath: databasePath, options: options)
        })
      }
    }
    return try result.get()
  }

  /// Runs `body` with the connection on the store's queue, one call at a time.
  func withConnection<T: Sendable>(
    _ body: @escaping @Sendable (SQLiteConnection) throws(MLflowStoreError) -> T
  ) async throws(MLflowStoreError) -> T {
    let result: Result<T, MLflowStoreError> = await withCheckedContinuation { continuation in
      queue.async {
        continuation.resume(returning: Result { () throws(MLflowStoreError) -> T in
          try self.connection.withLock { (connection: inout SQLiteConnection) throws(MLflowStoreError) -> T in
            try body(connection)
          }
        })
      }
    }
    return try result.get()
  }

  public func experiment(id: String) async throws(MLflowStoreError) -> Experiment {
    try await withConnection { (connection) throws(MLflowStoreError) -> Experiment in
      guard let experiment = try ExperimentRows.find(id: id, in: connection) else {
        throw ExperimentRows.notFound(id: id)
      }
      return experiment
    }
  }

  public func experiment(named name: String) async throws(MLflowStoreError) -> Experiment? {
    try await withConnection { (connection) throws(MLflowStoreError) -> Experiment? in
      try ExperimentRows.find(name: name, in: connection)
    }
  }

  public func createExperiment(named name: String) async throws(MLflowStoreError) -> Experiment {
    let root = artifactRoot
    return try await withConnection { (connection) throws(MLflowStoreError) -> Experiment in
      try ExperimentRows.insert(name: name, artifactRoot: root, in: connection)
    }
  }
}
