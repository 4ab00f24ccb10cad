/// Reading and writing `experiments` rows.
enum ExperimentRows {
  /// The workspace MLflow 3.17 gives every experiment when workspaces are off.
  static let defaultWorkspace = "default"

  private static let columns =
    "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time"

  /// The experiment with this ID, or `nil`.
  static func find(id: String, in connection: SQLiteConnection) throws(MLflowStoreError) -> Experiment? {
    let number = try parseID(id)
    return try connection.rows("SELECT \(columns) FROM experiments WHERE experiment_id = ?", [.integer(number)])
      .first.map(experiment(from:))
  }

  /// The experiment with this name, or `nil`.
  static func find(name: String, in connection: SQLiteConnection) throws(MLflowStoreError) -> Experiment? {
    try connection.rows("SELECT \(columns) FROM experiments WHERE name = ?", [.text(name)])
      .first.map(experiment(from:))
  }

  /// The experiment with this ID, which must exist and be active (to add models or traces).
  static func active(id: String, in connection: SQLiteConnection) throws(MLflowStoreError) -> Experiment {
    guard let experiment = try find(id: id, in: connection) else { throw notFound(id: id) }
    guard experiment.lifecycleStage == .active else {
      throw MLflowStoreError(
        code: .invalidState,
        message: "experiment '\(id)' (\(experiment.name)) is deleted; restore it, or choose another "
          + "experiment with MLFLOW_EXPERIMENT_NAME or MLFLOW_EXPERIMENT_ID")
    }
    return experiment
  }

  /// Inserts an active experiment and gives it the artifact location `<artifactRoot>/<id>`,
  /// as MLflow does (insert, then set the location once the ID is known).
  static func insert(name: String, artifactRoot: String, in connection: SQLiteConnection) throws(MLflowStoreError) -> Experiment {
    try EntityValidation.validate(experimentName: name)
    return try connection.writeTransaction { () throws(MLflowStoreError) -> Experiment in
      let now = Clock.nowMilliseconds()
      do throws(MLflowStoreError) {
        try connection.execute(
          """
          INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace)
          VALUES (?, NULL, ?, ?, ?, ?)
          """,
          [.text(name), .text(LifecycleStage.active.rawValue), .integer(now), .integer(now), .text(defaultWorkspace)])
      } catch let error where error.code == .alreadyExists {
        throw MLflowStoreError(
          code: .alreadyExists,
          message: "an experiment named '\(name)' already exists (it may be deleted); use it, or choose another name")
      }
      guard let id = try connection.rows("SELECT last_insert_rowid()").first?.first?.integer else {
        throw MLflowStoreError(code: .databaseError, message: "SQLite did not report the new experiment's ID")
      }
      let location = ArtifactPath.appending([String(id)], to: artifactRoot)
      try connection.execute(
        "UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?", [.text(location), .integer(id)])
      return Experiment(
        experimentID: String(id), name: name, artifactLocation: location, lifecycleStage: .active,
        creationTime: now, lastUpdateTime: now)
    }
  }

  /// An experiment ID as the integer MLflow stores.
  static func parseID(_ id: String) throws(MLflowStoreError) -> Int64 {
    try EntityValidation.experimentNumber(id)
  }

  static func notFound(id: String) -> MLflowStoreError {
    MLflowStoreError(
      code: .experimentNotFound,
      message: "no experiment with ID '\(id)' exists; create it, or choose another with "
        + "MLFLOW_EXPERIMENT_NAME or MLFLOW_EXPERIMENT_ID")
  }

  private static func experiment(from row: [SQLiteValue]) -> Experiment {
    Experiment(
      experimentID: row[0].text ?? "",
      name: row[1].text ?? "",
      artifactLocation: row[2].text ?? "",
      lifecycleStage: LifecycleStage(rawValue: row[3].text ?? LifecycleStage.active.rawValue),
      creationTime: row[4].integer,
      lastUpdateTime: row[5].integer)
  }
}
