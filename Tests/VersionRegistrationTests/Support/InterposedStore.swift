import MLflowStore
import Synchronization

/// A tracking store that forwards every call to a real one, and lets a test act at the points
/// where registrations race: before a model is created (another creator's model appears), right
/// after one is finalized (another creator starts its transaction), and instead of a delete (it
/// fails, as on a store that stays locked).
final class InterposedStore: TrackingStore {
  let inner: any TrackingStore
  /// Run before each creation, with the call's tags.
  let beforeCreate: @Sendable ([String: String]) async throws -> Void
  /// Run after each finalization, with the finalized model.
  let afterFinalize: @Sendable (LoggedModel) async throws -> Void
  /// What every delete throws, when set; the real delete runs when `nil`.
  let deleteFailure: MLflowStoreError?
  private let deletes = Mutex(0)

  init(
    _ inner: any TrackingStore, beforeCreate: @escaping @Sendable ([String: String]) async throws -> Void = { _ in },
    afterFinalize: @escaping @Sendable (LoggedModel) async throws -> Void = { _ in }, deleteFailure: MLflowStoreError? = nil
  ) {
    self.inner = inner
    self.beforeCreate = beforeCreate
    self.afterFinalize = afterFinalize
    self.deleteFailure = deleteFailure
  }

  /// How many deletes were asked for.
  var deleteAttempts: Int { deletes.withLock { $0 } }

  func experiment(id: String) async throws(MLflowStoreError) -> Experiment { try await inner.experiment(id: id) }

  func experiment(named name: String) async throws(MLflowStoreError) -> Experiment? {
    try await inner.experiment(named: name)
  }

  func createExperiment(named name: String) async throws(MLflowStoreError) -> Experiment {
    try await inner.createExperiment(named: name)
  }

  func createLoggedModel(
    experimentID: String, name: String?, tags: [String: String], params: [String: String], modelType: String?,
    sourceRunID: String?
  ) async throws(MLflowStoreError) -> LoggedModel {
    do {
      try await beforeCreate(tags)
    } catch {
      throw MLflowStoreError(code: .databaseError, message: "the test's step before a creation failed: \(error)")
    }
    return try await inner.createLoggedModel(
      experimentID: experimentID, name: name, tags: tags, params: params, modelType: modelType, sourceRunID: sourceRunID)
  }

  func loggedModel(id: String, includeDeleted: Bool) async throws(MLflowStoreError) -> LoggedModel {
    try await inner.loggedModel(id: id, includeDeleted: includeDeleted)
  }

  func searchLoggedModels(_ search: LoggedModelSearch) async throws(MLflowStoreError) -> LoggedModelPage {
    try await inner.searchLoggedModels(search)
  }

  func setLoggedModelTags(id: String, tags: [String: String]) async throws(MLflowStoreError) {
    try await inner.setLoggedModelTags(id: id, tags: tags)
  }

  func deleteLoggedModelTag(id: String, key: String) async throws(MLflowStoreError) {
    try await inner.deleteLoggedModelTag(id: id, key: key)
  }

  func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws(MLflowStoreError) -> LoggedModel {
    let model = try await inner.finalizeLoggedModel(id: id, status: status)
    do {
      try await afterFinalize(model)
    } catch {
      throw MLflowStoreError(code: .databaseError, message: "the test's step after a finalization failed: \(error)")
    }
    return model
  }

  func deleteLoggedModel(id: String) async throws(MLflowStoreError) {
    deletes.withLock { $0 += 1 }
    if let deleteFailure { throw deleteFailure }
    try await inner.deleteLoggedModel(id: id)
  }

  func waitForModelsCreated(through timestamp: Int64, creationTime: Duration) async throws(MLflowStoreError) {
    try await inner.waitForModelsCreated(through: timestamp, creationTime: creationTime)
  }

  func logTrace(_ trace: Trace) async throws(MLflowStoreError) -> TraceInfo { try await inner.logTrace(trace) }

  func searchTraces(experimentIDs: [String], modelID: String?, maxResults: Int, pageToken: String?)
    async throws(MLflowStoreError) -> TracePage
  {
    try await inner.searchTraces(experimentIDs: experimentIDs, modelID: modelID, maxResults: maxResults, pageToken: pageToken)
  }
  func logTraces(_ traces: [Trace]) async throws(MLflowStoreError) { try await inner.logTraces(traces) }


  func trace(id: String) async throws(MLflowStoreError) -> Trace { try await inner.trace(id: id) }
}
