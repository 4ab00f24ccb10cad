import ChildProcess
import LocalFiles

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates a missing MLflow database with MLflow's own migrations, once, even when many
/// processes ask at the same time.
///
/// MLflow run concurrently on a missing database runs its migrations concurrently and can leave
/// the file permanently broken. Here creation is serialized with an exclusive lock on a private
/// lock file next to the database (`mlflow.db.lock` for `mlflow.db`), and the database is built in a private
/// temporary file and linked into place only when complete, so the path never holds a partial
/// schema and an existing database is never replaced. The schema itself is only ever made by
/// `mlflow db upgrade`.
enum DatabaseBootstrap {
  /// What creating a database needs.
  struct Plan {
    var databasePath: String
    var mlflowExecutable: String?
    var environment: [String: String]
    /// The artifact location of the `Default` experiment (`<root>/0`).
    var artifactRoot: String
    var busyTimeoutMilliseconds: Int32
  }

  /// Creates the database at `plan.databasePath` unless it exists.
  ///
  /// - Throws: `.storeNotCreated` when there is no `mlflow` executable (nothing is written);
  ///   `.storeCreationFailed` when `mlflow db upgrade` fails (its temporary file is removed).
  static func createIfMissing(_ plan: Plan) throws(MLflowStoreError) {
    let path = plan.databasePath
    if access(path, F_OK) == 0 { return }
    let executable = try MLflowExecutable.locate(
      explicit: plan.mlflowExecutable, environment: plan.environment, forDatabase: path)
    let directory = parentDirectory(of: path)
    try makeDirectories(directory)
    let lock: FileLock
    do {
      lock = try FileLock.acquire(at: path + ".lock")
    } catch {
      throw MLflowStoreError(code: .storeNotCreated, message: "\(error) (needed to create '\(path)')")
    }
    defer { lock.release() }
    // Someone else may have created it while this process waited for the lock.
    if access(path, F_OK) == 0 { return }
    let staging = directory + "/." + lastComponent(of: path) + "." + Identifiers.randomHex(bytes: 6) + ".creating"
    defer { unlink(staging) }
    try createPrivateFile(staging)
    try runMigrations(executable: executable, databasePath: staging, environment: plan.environment, finalPath: path)
    try addDefaultExperiment(plan: plan, stagingPath: staging)
    try moveIntoPlace(staging, path)
  }

  /// Gives the finished database its name. link(2) never replaces a file: if a tool that does
  /// not take the lock (Python MLflow) created the database meanwhile, that one stays and this
  /// copy is discarded. Where hard links are not supported, a rename does it.
  private static func moveIntoPlace(_ staging: String, _ path: String) throws(MLflowStoreError) {
    if link(staging, path) == 0 || errno == EEXIST { return }
    if errno == EPERM || errno == EOPNOTSUPP || errno == ENOSYS {
      if access(path, F_OK) == 0 || rename(staging, path) == 0 { return }
    }
    throw MLflowStoreError(
      code: .storeCreationFailed,
      message: "could not move the new MLflow database into place at '\(path)': \(String(cString: strerror(errno)))")
  }

  private static func runMigrations(
    executable: String,
    databasePath: String,
    environment: [String: String],
    finalPath: String
  ) throws(MLflowStoreError) {
    let uri = TrackingURI.sqlite(path: databasePath).description
    let output: ChildProcess.Output
    do {
      output = try ChildProcess.run(executable, arguments: ["db", "upgrade", uri], environment: environment)
    } catch {
      throw MLflowStoreError(
        code: .storeNotCreated,
        message: "could not run '\(executable) db upgrade' to create '\(finalPath)': \(error)")
    }
    guard output.succeeded else {
      let detail = String(output.standardErrorText.suffix(2000))
      throw MLflowStoreError(
        code: .storeCreationFailed,
        message: "`\(executable) db upgrade` exited with status \(output.exitStatus) while creating "
          + "'\(finalPath)'; nothing was written. Its error output: \(detail)")
    }
  }

  /// Adds experiment 0 as MLflow adds it when it first opens a store.
  private static func addDefaultExperiment(plan: Plan, stagingPath: String) throws(MLflowStoreError) {
    let connection = try SQLiteConnection(path: stagingPath, busyTimeoutMilliseconds: plan.busyTimeoutMilliseconds)
    do {
      try MLflowSchema.verify(connection)
    } catch {
      throw MLflowStoreError(
        code: .storeCreationFailed,
        message: "`mlflow db upgrade` made a database this version of mlflow-git cannot use: \(error.message)")
    }
    try DefaultExperiment.insertIfMissing(into: connection, artifactRoot: plan.artifactRoot)
  }

  private static func createPrivateFile(_ path: String) throws(MLflowStoreError) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw MLflowStoreError(
        code: .storeNotCreated,
        message: "could not create '\(path)': \(String(cString: strerror(errno))); make its directory writable")
    }
    close(descriptor)
  }

  /// Creates `directory` and its missing parents with mode 0700, as MLflow creates the
  /// database's parent directories.
  private static func makeDirectories(_ directory: String) throws(MLflowStoreError) {
    var current = ""
    for component in directory.split(separator: "/") {
      current += "/" + component
      if mkdir(current, 0o700) != 0 && errno != EEXIST {
        throw MLflowStoreError(
          code: .storeNotCreated,
          message: "could not create the directory '\(current)' for the MLflow database: "
            + String(cString: strerror(errno)))
      }
    }
  }

  static func parentDirectory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
  }

  private static func lastComponent(of path: String) -> String {
    path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
  }
}
