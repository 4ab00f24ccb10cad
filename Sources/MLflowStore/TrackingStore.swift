/// The MLflow tracking operations mlflow-git needs: experiments, logged models (versions) and
/// traces.
///
/// ``SQLiteTrackingStore`` implements it on MLflow's own `mlflow.db`; a store for a tracking
/// server implements the same calls over MLflow's REST API. Both read and write exactly what
/// Python MLflow 3.17 does, so models and traces written here are MLflow's own.
///
/// # Usage
/// ```swift
/// let store: any TrackingStore = try SQLiteTrackingStore(databasePath: databasePath)
/// let experiment = try await ExperimentSelection.resolve(in: store)
/// let page = try await store.searchLoggedModels(
///   LoggedModelSearch(experimentIDs: [experiment.experimentID], tags: gitTags, maxResults: 1))
/// var model = page.models.first
/// if model == nil {
///   model = try await store.createLoggedModel(experimentID: experiment.experimentID, name: nil, tags: gitTags)
/// }
/// ```
public protocol TrackingStore: Sendable {
  /// The experiment with this ID, active or deleted.
  ///
  /// - Throws: `.experimentNotFound` when there is none.
  func experiment(id: String) async throws(MLflowStoreError) -> Experiment

  /// The experiment with this name, active or deleted, or `nil` when there is none.
  func experiment(named name: String) async throws(MLflowStoreError) -> Experiment?

  /// Creates an active experiment whose artifacts go under the store's artifact root.
  ///
  /// - Throws: `.alreadyExists` when an experiment (active or deleted) has that name;
  ///   `.invalidArgument` for an empty name or one longer than 500 characters.
  func createExperiment(named name: String) async throws(MLflowStoreError) -> Experiment

  /// Creates a logged model in `PENDING` state, with its tags and params, in one step.
  ///
  /// - Parameters:
  ///   - experimentID: An active experiment.
  ///   - name: The display name; it must not contain `/ : . % " '`. `nil` lets the store
  ///     choose: the SQLite store gives `model-` and the first 8 hex digits of the new model ID,
  ///     a tracking server a random name such as `gentle-wren-24`, as MLflow does.
  ///   - tags: Tags to set, e.g. the `mlflow.source.git.*` tags.
  ///   - params: Parameters to log.
  ///   - modelType: A free-form type, e.g. `agent`.
  ///   - sourceRunID: The run that produced the model.
  /// - Returns: The stored model, with its new ID (`m-` and 32 hex digits).
  func createLoggedModel(
    experimentID: String,
    name: String?,
    tags: [String: String],
    params: [String: String],
    modelType: String?,
    sourceRunID: String?
  ) async throws(MLflowStoreError) -> LoggedModel

  /// The logged model with this ID.
  ///
  /// - Parameter includeDeleted: Also return a soft-deleted model.
  /// - Throws: `.modelNotFound`.
  func loggedModel(id: String, includeDeleted: Bool) async throws(MLflowStoreError) -> LoggedModel

  /// One page of the active logged models that match `search`.
  ///
  /// - Throws: `.invalidArgument` for a non-numeric experiment ID, a page size below 1, or a
  ///   page token from a different search.
  func searchLoggedModels(_ search: LoggedModelSearch) async throws(MLflowStoreError) -> LoggedModelPage

  /// Sets tags on a logged model; existing keys get the new values (an upsert).
  ///
  /// - Throws: `.modelNotFound`.
  func setLoggedModelTags(id: String, tags: [String: String]) async throws(MLflowStoreError)

  /// Removes one tag from a logged model.
  ///
  /// - Throws: `.modelNotFound`, or `.tagNotFound` when the model has no such tag.
  func deleteLoggedModelTag(id: String, key: String) async throws(MLflowStoreError)

  /// Marks a logged model `READY` or `FAILED`.
  ///
  /// - Throws: `.modelNotFound`; `.invalidArgument` for any other status.
  func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws(MLflowStoreError) -> LoggedModel

  /// Soft-deletes a logged model: it stays in the database with lifecycle stage `deleted` and
  /// no longer appears in searches.
  ///
  /// - Throws: `.modelNotFound`.
  func deleteLoggedModel(id: String) async throws(MLflowStoreError)

  /// Returns once the logged models that any client created with a creation timestamp at or
  /// before `timestamp` (milliseconds) are visible to searches, as far as the store can tell:
  /// what creators that may have raced wait for before they choose the oldest model of a
  /// version. A store that cannot see other clients' commits (a tracking server) waits about as
  /// long as this client's own creation took, `creationTime`; the embedded store knows exactly
  /// (see ``SQLiteTrackingStore/waitForModelsCreated(through:creationTime:)``).
  func waitForModelsCreated(through timestamp: Int64, creationTime: Duration) async throws(MLflowStoreError)

  /// Stores a finished trace: its info, metadata, tags and spans, all at once.
  ///
  /// - Returns: The trace info as stored, with the tags the store adds
  ///   (`mlflow.artifactLocation`, `mlflow.trace.spansLocation`).
  /// - Throws: `.invalidArgument` for malformed IDs, a span of another trace, or an attribute
  ///   that is not JSON; `.alreadyExists` when a trace with that ID exists;
  ///   `.experimentNotFound` / `.invalidState` for a missing or deleted experiment.
  func logTrace(_ trace: Trace) async throws(MLflowStoreError) -> TraceInfo

  /// Stores finished traces together, in as few round trips as the store allows: one SQLite
  /// transaction; on a tracking server one `StartTraceV3` per trace (the only call that sets a
  /// trace's metadata, such as its `mlflow.modelId` link) and one OTLP request per experiment
  /// for all their spans. A trace whose ID is stored already is left as it is, so a batch whose
  /// delivery was interrupted can be sent again: each trace ends up stored once.
  ///
  /// On `mlflow.db` the batch is stored whole or not at all. On a server, a failure can leave
  /// part of it stored; sending the batch again completes it.
  ///
  /// - Throws: What ``logTrace(_:)`` throws for any trace of the batch (except
  ///   `.alreadyExists`); the message names the trace when one is at fault.
  func logTraces(_ traces: [Trace]) async throws(MLflowStoreError)

  /// One page of the traces in `experimentIDs`, newest first, optionally only those linked to
  /// a logged model (metadata `mlflow.modelId`).
  func searchTraces(
    experimentIDs: [String],
    modelID: String?,
    maxResults: Int,
    pageToken: String?
  ) async throws(MLflowStoreError) -> TracePage

  /// The trace with this ID, with its spans (root first, then by start time). Span attributes
  /// read back include the two the store writes, `mlflow.traceRequestId` and `mlflow.spanType`.
  ///
  /// - Throws: `.traceNotFound`.
  func trace(id: String) async throws(MLflowStoreError) -> Trace
}

extension TrackingStore {
  /// Creates a logged model with no params, type or source run.
  public func createLoggedModel(
    experimentID: String,
    name: String?,
    tags: [String: String]
  ) async throws(MLflowStoreError) -> LoggedModel {
    try await createLoggedModel(
      experimentID: experimentID, name: name, tags: tags, params: [:], modelType: nil, sourceRunID: nil)
  }

  /// The active logged model with this ID.
  public func loggedModel(id: String) async throws(MLflowStoreError) -> LoggedModel {
    try await loggedModel(id: id, includeDeleted: false)
  }

  /// Waits as long as the creation took (at least 5 ms, at most 1 s): a store whose clock and
  /// commits are out of sight has most likely committed, by then, what other clients created
  /// no later than this client.
  public func waitForModelsCreated(through timestamp: Int64, creationTime: Duration) async throws(MLflowStoreError) {
    try? await Task.sleep(for: min(max(creationTime, .milliseconds(5)), .seconds(1)))
  }

  /// The first page (up to 100) of the traces linked to `modelID` in `experimentIDs`.
  public func searchTraces(experimentIDs: [String], modelID: String?) async throws(MLflowStoreError) -> TracePage {
    try await searchTraces(experimentIDs: experimentIDs, modelID: modelID, maxResults: 100, pageToken: nil)
  }
}
