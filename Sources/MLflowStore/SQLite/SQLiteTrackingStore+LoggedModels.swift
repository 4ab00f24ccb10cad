extension SQLiteTrackingStore {
  public func createLoggedModel(
    experimentID: String,
    name: String?,
    tags: [String: String],
    params: [String: String],
    modelType: String?,
    sourceRunID: String?
  ) async throws(MLflowStoreError) -> LoggedModel {
    if let name { try EntityValidation.validate(modelName: name) }
    let experimentNumber = try ExperimentRows.parseID(experimentID)
    return try await withConnection { (connection) throws(MLflowStoreError) -> LoggedModel in
      try connection.writeTransaction { () throws(MLflowStoreError) -> LoggedModel in
        let experiment = try ExperimentRows.active(id: experimentID, in: connection)
        let modelID = Identifiers.newModelID()
        let now = Clock.nowMilliseconds()
        let model = LoggedModel(
          modelID: modelID,
          experimentID: experiment.experimentID,
          name: name ?? "model-" + modelID.dropFirst(2).prefix(8),
          artifactLocation: ArtifactPath.appending(["models", modelID, "artifacts"], to: experiment.artifactLocation),
          creationTimestamp: now,
          lastUpdatedTimestamp: now,
          status: .pending,
          lifecycleStage: .active,
          modelType: modelType,
          sourceRunID: sourceRunID,
          tags: tags,
          params: params)
        try LoggedModelRows.insert(model, experimentNumber: experimentNumber, in: connection)
        return model
      }
    }
  }

  public func loggedModel(id: String, includeDeleted: Bool) async throws(MLflowStoreError) -> LoggedModel {
    try await withConnection { (connection) throws(MLflowStoreError) -> LoggedModel in
      try connection.readTransaction { () throws(MLflowStoreError) -> LoggedModel in
        guard let model = try LoggedModelRows.find(id: id, includeDeleted: includeDeleted, in: connection) else {
          throw LoggedModelRows.notFound(id: id)
        }
        return model
      }
    }
  }

  public func searchLoggedModels(_ search: LoggedModelSearch) async throws(MLflowStoreError) -> LoggedModelPage {
    guard search.maxResults >= 1 else {
      throw MLflowStoreError(
        code: .invalidArgument, message: "maxResults is \(search.maxResults); ask for at least 1 model")
    }
    var parsed: [Int64] = []
    for id in search.experimentIDs { parsed.append(try ExperimentRows.parseID(id)) }
    let experimentNumbers = parsed
    let offset = try PageToken.offset(of: search.pageToken, search: LoggedModelRows.fingerprint(of: search))
    return try await withConnection { (connection) throws(MLflowStoreError) -> LoggedModelPage in
      try connection.readTransaction { () throws(MLflowStoreError) -> LoggedModelPage in
        let rows = try LoggedModelRows.search(
          search, experimentNumbers: experimentNumbers, offset: offset, in: connection)
        let hasMore = rows.count > search.maxResults
        let models = try LoggedModelRows.models(from: Array(rows.prefix(search.maxResults)), in: connection)
        let next = hasMore
          ? PageToken.encode(offset: offset + search.maxResults, search: LoggedModelRows.fingerprint(of: search))
          : nil
        return LoggedModelPage(models: models, nextPageToken: next)
      }
    }
  }

  public func setLoggedModelTags(id: String, tags: [String: String]) async throws(MLflowStoreError) {
    try await withConnection { (connection) throws(MLflowStoreError) in
      try connection.writeTransaction { () throws(MLflowStoreError) in
        guard let experiment = try connection.rows(
          "SELECT experiment_id FROM logged_models WHERE model_id = ?", [.text(id)]).first?.first
        else { throw LoggedModelRows.notFound(id: id) }
        for (key, value) in tags.sorted(by: { $0.key < $1.key }) {
          try connection.execute(
            """
            INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?)
            ON CONFLICT (model_id, tag_key)
            DO UPDATE SET experiment_id = excluded.experiment_id, tag_value = excluded.tag_value
            """,
            [.text(id), experiment, .text(key), .text(value)])
        }
      }
    }
  }

  public func deleteLoggedModelTag(id: String, key: String) async throws(MLflowStoreError) {
    try await withConnection { (connection) throws(MLflowStoreError) in
      try connection.writeTransaction { () throws(MLflowStoreError) in
        guard try !connection.rows("SELECT 1 FROM logged_models WHERE model_id = ?", [.text(id)]).isEmpty else {
          throw LoggedModelRows.notFound(id: id)
        }
        let deleted = try connection.execute(
          "DELETE FROM logged_model_tags WHERE model_id = ? AND tag_key = ?", [.text(id), .text(key)])
        guard deleted > 0 else {
          throw MLflowStoreError(
            code: .tagNotFound, message: "logged model '\(id)' has no tag '\(key)'; nothing was deleted")
        }
      }
    }
  }

  public func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws(MLflowStoreError) -> LoggedModel {
    guard status == .ready || status == .failed else {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "a logged model can only be finalized as READY or FAILED, not \(status)")
    }
    return try await withConnection { (connection) throws(MLflowStoreError) -> LoggedModel in
      try connection.writeTransaction { () throws(MLflowStoreError) -> LoggedModel in
        let updated = try connection.execute(
          "UPDATE logged_models SET status = ?, last_updated_timestamp_ms = ? WHERE model_id = ?",
          [.integer(Int64(status.rawValue)), .integer(Clock.nowMilliseconds()), .text(id)])
        guard updated > 0, let model = try LoggedModelRows.find(id: id, includeDeleted: true, in: connection) else {
          throw LoggedModelRows.notFound(id: id)
        }
        return model
      }
    }
  }

  public func deleteLoggedModel(id: String) async throws(MLflowStoreError) {
    try await withConnection { (connection) throws(MLflowStoreError) in
      try connection.writeTransaction { () throws(MLflowStoreError) in
        let updated = try connection.execute(
          "UPDATE logged_models SET lifecycle_stage = ?, last_updated_timestamp_ms = ? WHERE model_id = ?",
          [.text(LifecycleStage.deleted.rawValue), .integer(Clock.nowMilliseconds()), .text(id)])
        guard updated > 0 else { throw LoggedModelRows.notFound(id: id) }
      }
    }
  }
}

extension SQLiteTrackingStore {
  /// Returns once every logged model that this store — or any other process's
  /// `SQLiteTrackingStore` on the same database and machine — creates with a creation
  /// timestamp at or before `timestamp` (milliseconds) is committed, so a search made after it
  /// sees them all.
  ///
  /// A creation reads the clock inside its write transaction, so once the clock has passed
  /// `timestamp`, any creation that read `timestamp` or earlier holds or held the write lock;
  /// taking the write lock once (`BEGIN IMMEDIATE`, then nothing) waits for it to commit.
  /// Writers that read the clock before taking the lock (Python MLflow) are not covered.
  /// `creationTime` is not needed here.
  public func waitForModelsCreated(through timestamp: Int64, creationTime: Duration)
    async throws(MLflowStoreError)
  {
    while Clock.nowMilliseconds() <= timestamp {
      try? await Task.sleep(for: .microseconds(200))
    }
    try await withConnection { (connection) throws(MLflowStoreError) in
      try connection.writeTransaction { () throws(MLflowStoreError) in }
    }
  }
}
