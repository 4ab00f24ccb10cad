#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the `mlflow` command that creates new databases (`mlflow db upgrade`).
enum MLflowExecutable {
  /// The variable that names the `mlflow` executable to use.
  static let environmentVariable = "MLFLOW_GIT_MLFLOW_EXECUTABLE"

  /// The `mlflow` executable: `explicit` when given, else `MLFLOW_GIT_MLFLOW_EXECUTABLE`, else
  /// `mlflow` on the `PATH` of `environment`.
  ///
  /// - Throws: `.storeNotCreated` saying where it looked and how to provide one.
  static func locate(explicit: String?, environment: [String: String], forDatabase databasePath: String) throws(MLflowStoreError) -> String {
    if let explicit, !explicit.isEmpty {
      return try checked(explicit, source: "the mlflowExecutable option", environment: environment, databasePath: databasePath)
    }
    if let configured = environment[environmentVariable], !configured.isEmpty {
      return try checked(configured, source: environmentVariable, environment: environment, databasePath: databasePath)
    }
    if let found = searchPath("mlflow", environment: environment) { return found }
    throw MLflowStoreError(
      code: .storeNotCreated,
      message: "there is no MLflow database at '\(databasePath)' and no `mlflow` executable to create "
        + "one with (none on PATH, and \(environmentVariable) is not set); install MLflow "
        + "(pip install mlflow) or set \(environmentVariable) to its path")
  }

  private static func checked(
    _ executable: String,
    source: String,
    environment: [String: String],
    databasePath: String
  ) throws(MLflowStoreError) -> String {
    let found = executable.contains("/")
      ? (access(executable, X_OK) == 0 ? executable : nil)
      : searchPath(executable, environment: environment)
    guard let found else {
      throw MLflowStoreError(
        code: .storeNotCreated,
        message: "there is no MLflow database at '\(databasePath)', and \(source) is '\(executable)', "
          + "which is not an executable file; set it to the path of MLflow's `mlflow` command")
    }
    return found
  }

  private static func searchPath(_ name: String, environment: [String: String]) -> String? {
    for directory in (environment["PATH"] ?? "").split(separator: ":", omittingEmptySubsequences: true) {
      let candidate = directory + "/" + name
      if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
  }
}
