/// Experiment `0`, `Default`, which MLflow adds the first time it opens a store.
enum DefaultExperiment {
  /// Inserts experiment 0 unless the database has it, with the row MLflow 3.17 writes:
  /// `(0, 'Default', '<artifact root>/0', 'active', now, now, 'default')`.
  ///
  /// - Parameter artifactRoot: The store's artifact root (MLflow's default is `./mlruns` of the
  ///   process that first opens the store).
  static func insertIfMissing(into connection: SQLiteConnection, artifactRoot: String) throws(MLflowStoreError) {
    guard try connection.rows("SELECT 1 FROM experiments WHERE experiment_id = 0").isEmpty else { return }
    let now = Clock.nowMilliseconds()
    try connection.writeTransaction { () throws(MLflowStoreError) -> Void in
      try connection.execute(
        """
        INSERT INTO experiments
          (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace)
        VALUES (0, ?, ?, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING
        """,
        [
          .text(Experiment.defaultExperimentName),
          .text(ArtifactPath.appending(["0"], to: artifactRoot)),
          .text(LifecycleStage.active.rawValue), .integer(now), .integer(now),
          .text(ExperimentRows.defaultWorkspace),
        ])
    }
  }
}
