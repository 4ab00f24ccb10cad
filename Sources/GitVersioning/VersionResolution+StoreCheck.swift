extension VersionResolution {
  /// Whether a resolution asked the tracking store about its model, or knew it need not.
  ///
  /// A check asked for (``GitVersioningOptions/IndexVerification/beforeReturning``, or
  /// ``VersionResolution/verified()``) of a model in an SQLite store is skipped when the
  /// database is in the very state an earlier check that found the model saw: same file, same
  /// size and times, same SQLite file change counter (see ``SQLiteChangeStamp``). Any write to
  /// the database, by mlflow-git, Python MLflow, the UI or anything else, makes the next check
  /// a real one.
  ///
  /// # Usage
  /// ```swift
  /// let resolution = try await VersionResolution.resolve(
  ///   options: GitVersioningOptions(directory: appDirectory, indexVerification: .beforeReturning))
  /// if resolution.storeCheck == .storeUnchanged { print("mlflow.db unchanged since the last check") }
  /// ```
  package enum StoreCheck: Sendable, Hashable {
    /// The store was not asked: the local index answered and no check was asked for.
    case notMade
    /// The store was asked: the model was looked up (and replaced when it was gone), or the
    /// version was registered or delivered (or kept undelivered, its store being absent).
    case made
    /// The check was skipped: the SQLite database is in the state in which an earlier check
    /// found this model (in an experiment this resolution accepts), so the model is there.
    case storeUnchanged
  }
}
