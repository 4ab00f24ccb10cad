extension SQLiteTrackingStore {
  /// Creates a logged model under an ID the caller chose, with the rows MLflow writes, or
  /// returns the model that already has that ID.
  ///
  /// This is how a version whose ID was handed out before `mlflow.db` existed (kept
  /// undelivered by mlflow-git) enters the database with its ID unchanged. Repeating the call
  /// is harmless: a model with that ID in the same experiment (active or deleted) is returned
  /// as it is, with `created` `false`, so a delivery killed after the insert can simply run
  /// again. A tracking server chooses its own IDs, so only the embedded store has this call.
  ///
  /// - Parameters:
  ///   - modelID: `m-` and 32 lowercase hex digits, as MLflow's own IDs.
  ///   - experimentID: An active experiment.
  ///   - name: The display name (no `/ : . % " '`).
  ///   - tags: The model's tags.
  ///   - status: `.pending` (MLflow's state after creation) or `.ready` (created and finalized
  ///     in one transaction: the rows of a create followed by a finalize).
  ///   - creationTimestamp: When the version came to be, in milliseconds since the Unix epoch;
  ///     `nil` means now. The last-updated time is always now.
  /// - Returns: The stored model, and whether this call inserted it.
  /// - Throws: `.invalidArgument` for a malformed ID, name or status; `.alreadyExists` when the
  ///   ID belongs to a model of another experiment; `.experimentNotFound` / `.invalidState`.
  package func createLoggedModel(
    id modelID: String,
    experimentID: String,
    name: String,
    tags: [String: String],
    status: LoggedModelStatus = .pending,
    creationTimestamp: Int64? = nil
  ) async throws(MLflowStoreError) -> (model: LoggedModel, created: Bool) {
    guard modelID.hasPrefix("m-"), Identifiers.isLowercaseHex(modelID.dropFirst(2), digits: 32) else {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "'\(modelID)' is not an MLflow model ID; use 'm-' followed by 32 lowercase hex digits")
    }
    guard status == .pending || status == .ready else {
      throw MLflowStoreError(
        code: .invalidArgument, message: "a logged model is created PENDING or READY, not \(status)")
    }
    try EntityValidation.validate(modelName: name)
    let experimentNumber = try ExperimentRows.parseID(experimentID)
    return try await withConnection { (connection) throws(MLflowStoreError) -> (model: LoggedModel, created: Bool) in
      try connection.writeTransaction { () throws(MLflowStoreError) -> (model: LoggedModel, created: Bool) in
        if let existing = try LoggedModelRows.find(id: modelID, includeDeleted: true, in: connection) {
          guard existing.experimentID == String(experimentNumber) else {
            throw MLflowStoreError(
              code: .alreadyExists,
              message: "logged model '\(modelID)' already exists in experiment '\(existing.experimentID)', not "
                + "'\(experimentID)'; an ID names one model, so choose a new ID for this one")
          }
          return (existing, false)
        }
        let experiment = try ExperimentRows.active(id: experimentID, in: connection)
        let now = Clock.nowMilliseconds()
        let model = LoggedModel(
          modelID: modelID,
          experimentID: experiment.experimentID,
          name: name,
          artifactLocation: ArtifactPath.appending(["models", modelID, "artifacts"], to: experiment.artifactLocation),
          creationTimestamp: creationTimestamp ?? now,
          lastUpdatedTimestamp: now,
          status: status,
          lifecycleStage: .active,
          tags: tags)
        try LoggedModelRows.insert(model, experimentNumber: experimentNumber, in: connection)
        return (model, true)
      }
    }
  }
}
