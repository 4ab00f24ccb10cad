/// The part of MLflow's database schema this store reads and writes, and the check that a
/// database has it.
///
/// The check is by columns, not by Alembic revision: MLflow adds migrations often (3.17.2 is at
/// `dc11669786a5`; 3.18 adds tables), and a newer revision is fine as long as the tables and
/// columns used here are still there and no new column needs a value this store does not know.
enum MLflowSchema {
  /// The tables and columns used here, as MLflow 3.17.2 defines them.
  static let requiredColumns: [(table: String, columns: [String])] = [
    ("alembic_version", ["version_num"]),
    ("experiments", [
      "experiment_id", "name", "artifact_location", "lifecycle_stage", "creation_time",
      "last_update_time", "workspace",
    ]),
    ("logged_models", [
      "model_id", "experiment_id", "name", "artifact_location", "creation_timestamp_ms",
      "last_updated_timestamp_ms", "status", "lifecycle_stage", "model_type", "source_run_id",
      "status_message",
    ]),
    ("logged_model_tags", ["model_id", "experiment_id", "tag_key", "tag_value"]),
    ("logged_model_params", ["model_id", "experiment_id", "param_key", "param_value"]),
    ("trace_info", [
      "request_id", "experiment_id", "timestamp_ms", "execution_time_ms", "status",
      "client_request_id", "request_preview", "response_preview", "db_payload_generation",
      "trace_name", "session_id", "input_tokens", "output_tokens", "total_tokens",
      "cache_read_input_tokens", "cache_creation_input_tokens",
      "cache_creation_input_tokens_above_1hr", "input_cost", "output_cost", "total_cost",
    ]),
    ("trace_request_metadata", ["key", "value", "request_id"]),
    ("trace_tags", ["key", "value", "request_id"]),
    ("spans", [
      "trace_id", "experiment_id", "span_id", "parent_span_id", "name", "type", "status",
      "start_time_unix_nano", "end_time_unix_nano", "content", "input_cost", "output_cost",
      "total_cost", "model_name", "model_provider",
    ]),
  ]

  /// Checks that the database has every table and column this store uses, and that no table it
  /// inserts into has a new required column.
  ///
  /// - Throws: ``MLflowStoreError/Code-swift.struct/unsupportedSchema`` naming what is missing,
  ///   or the SQLite error (for example ``MLflowStoreError/Code-swift.struct/corruptDatabase``)
  ///   when the file cannot be read at all.
  static func verify(_ connection: SQLiteConnection) throws(MLflowStoreError) {
    let path = connection.path
    let tables = Set(try connection.rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0[0].text })
    guard tables.contains("alembic_version") else {
      let what = tables.isEmpty ? "it has no tables" : "it has no alembic_version table"
      throw MLflowStoreError(
        code: .unsupportedSchema,
        message: "'\(path)' is not an MLflow tracking database (\(what)); point MLFLOW_TRACKING_URI at "
          + "MLflow's database, or move this file away so a new one can be created")
    }
    let revision = try connection.rows("SELECT version_num FROM alembic_version").first?.first?.text ?? "none"
    for (table, columns) in requiredColumns {
      guard tables.contains(table) else {
        throw MLflowStoreError(
          code: .unsupportedSchema,
          message: "the MLflow database '\(path)' (schema revision \(revision)) has no table '\(table)'; "
            + "upgrade it with `mlflow db upgrade \(TrackingURI.sqlite(path: path))` (MLflow 3.17 or newer)")
      }
      // name, notnull, dflt_value, pk, hidden (2 and 3 are generated columns).
      let found = try connection.rows(
        "SELECT name, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?)", [.text(table)])
      let names = Set(found.compactMap { $0[0].text })
      if let missing = columns.first(where: { !names.contains($0) }) {
        throw MLflowStoreError(
          code: .unsupportedSchema,
          message: "the MLflow database '\(path)' (schema revision \(revision)) has no column "
            + "'\(table).\(missing)'; upgrade it with `mlflow db upgrade \(TrackingURI.sqlite(path: path))` "
            + "(MLflow 3.17 or newer)")
      }
      let known = Set(columns)
      for column in found {
        guard let name = column[0].text, !known.contains(name) else { continue }
        let required = column[1].integer == 1 && column[2] == .null && (column[4].integer ?? 0) == 0
        if required {
          throw MLflowStoreError(
            code: .unsupportedSchema,
            message: "the MLflow database '\(path)' (schema revision \(revision)) requires a value for "
              + "the new column '\(table).\(name)', which this version of mlflow-git does not write; "
              + "update mlflow-git, or use an MLflow release whose schema it supports (3.17)")
        }
      }
    }
  }
}
