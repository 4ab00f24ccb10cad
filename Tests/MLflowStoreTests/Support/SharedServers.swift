import Foundation
import MLflowStore
import TestSupport

/// The real `mlflow server`s the server tests share, one per backend, started on first use and
/// stopped when the test process exits.
extension MLflowServer {
  /// The server on a fresh copy of the template SQLite database.
  static let sqlite = Task { () throws -> MLflowServer in
    try await MLflowServer.started(freshSQLiteIn: try TemporaryDirectory("mlflow-server").keep())
  }

  /// The server on a fresh PostgreSQL database of a private cluster (MLflow creates the schema).
  static let postgres = Task { () throws -> MLflowServer in
    let cluster = try await PostgresCluster.shared.value
    return try await MLflowServer.started(
      backendURI: try await cluster.createDatabase("mlflow"), directory: try TemporaryDirectory("mlflow-server-pg").keep())
  }

  /// The server with MLflow's basic-auth app, whose admin has `adminPassword`.
  static let basicAuth = Task { () throws -> MLflowServer in
    try await MLflowServer.startedWithBasicAuth(
      in: try TemporaryDirectory("mlflow-server-auth").keep(), adminPassword: adminPassword)
  }

  /// The basic-auth server's admin password (MLflow wants at least 12 characters).
  static let adminPassword = "s3cret-Pa55word-\(getpid())"
}
