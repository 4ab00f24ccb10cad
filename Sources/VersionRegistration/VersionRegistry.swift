import LocalFiles
import MLflowStore

/// Finds the LoggedModel that stands for a version, or creates it, without duplicates.
///
/// Within one repository clone, callers serialize on a file lock (see ``Registrar``). Across
/// clones and machines that share only the store, creators converge: after creating, a
/// registry waits until every model created in the same millisecond or earlier is visible, then
/// re-reads every model of the version, oldest first (creation time, then ID), and when an
/// older one exists it deletes its own and adopts that one — so all of them end on the oldest.
/// The wait is what makes two creations in one millisecond converge: without it, the first
/// creator could re-read before the second committed, keep its model, and the second, seeing
/// both, keep its own when its ID sorts first. In the embedded store the wait is exact (see
/// ``MLflowStore/SQLiteTrackingStore/waitForModelsCreated(through:creationTime:)``); on a
/// tracking server, whose clock and commits are out of sight, it lasts as long as the creation
/// request took (``MLflowStore/TrackingStore/waitForModelsCreated(through:creationTime:)``).
///
/// A model mlflow-git created (it bears the version's name, ``GitVersion/displayName``) and
/// left PENDING (a registration killed between creating and finalizing it) is finalized READY
/// when it is adopted. Python's versioning names its models at random and never finalizes
/// them; its models are adopted as they are.
struct VersionRegistry: Sendable {
  let store: any TrackingStore
  let experimentID: String
  let tagging: VersionTagging

  var policy: DirtyVersionPolicy { tagging.policy }

  /// What ``findOrCreate(_:recordedTags:)`` found or made.
  struct Found: Sendable {
    var model: LoggedModel
    var created: Bool
    /// A model this registry created and could not delete after adopting an older one, or one a
    /// killed registration left behind that ``create(_:id:tags:creationTimestamp:)`` could not
    /// delete: a duplicate to delete later (see ``Registrar``).
    var undeletedDuplicate: String?
  }

  /// The model for `version`, created (named after the version, status READY) when none exists.
  ///
  /// - Parameter recordedTags: The tags to create it with when they were fixed earlier (a
  ///   version kept undelivered); `nil` means this process's tags for it.
  func findOrCreate(_ version: GitVersion, recordedTags: [String: String]? = nil)
    async throws(MLflowStoreError) -> Found
  {
    if let existing = try await matchingModels(of: version).first {
      let ready = try await finalizedIfPending(existing, for: version)
      try await refresh(ready, for: version)
      return Found(model: ready, created: false)
    }
    let tags = recordedTags ?? tagging.tags(for: version)
    let clock = ContinuousClock()
    let started = clock.now
    let created = try await store.createLoggedModel(
      experimentID: experimentID, name: version.displayName, tags: tags, params: [:], modelType: nil, sourceRunID: nil)
    let creationTime = clock.now - started
    try storeCompleteDiff(of: version, in: created, tags: tags)
    let ready = try await store.finalizeLoggedModel(id: created.modelID, status: .ready)
    // Converge with creators that raced us from other processes or machines: the oldest wins.
    try await store.waitForModelsCreated(through: created.creationTimestamp, creationTime: creationTime)
    guard let oldest = try await matchingModels(of: version).first, oldest.modelID != ready.modelID else {
      return Found(model: ready, created: true)
    }
    let adopted = try await finalizedIfPending(oldest, for: version)
    let deleted = await delete(ready.modelID)
    return Found(model: adopted, created: false, undeletedDuplicate: deleted ? nil : ready.modelID)
  }

  /// `model`, finalized READY (with its complete diff stored) when mlflow-git created it and it
  /// is PENDING.
  private func finalizedIfPending(_ model: LoggedModel, for version: GitVersion) async throws(MLflowStoreError)
    -> LoggedModel
  {
    guard model.status == .pending, model.name == version.displayName else { return model }
    try storeCompleteDiff(of: version, in: model, tags: model.tags)
    return try await store.finalizeLoggedModel(id: model.modelID, status: .ready)
  }

  /// Deletes a duplicate model, trying three times; `true` when it is deleted (or already gone).
  func delete(_ modelID: String) async -> Bool {
    for attempt in 0..<3 {
      do throws(MLflowStoreError) {
        try await store.deleteLoggedModel(id: modelID)
        return true
      } catch where error.code == .modelNotFound {
        return true
      } catch {
        try? await Task.sleep(for: .milliseconds(100 << attempt))
      }
    }
    return false
  }

  /// Every active model that stands for `version`, oldest first.
  ///
  /// A model matches when it has the version's identity tags; when the version has no remote,
  /// only a model without a repoURL tag; under ``DirtyVersionPolicy/perDiff``, only a model
  /// whose diff tag still holds this version's diff (Python's versioning may have rewritten it).
  func matchingModels(of version: GitVersion) async throws(MLflowStoreError) -> [LoggedModel] {
    var search = LoggedModelSearch(
      experimentIDs: [experimentID], tags: VersionTags.identity(of: version, policy: policy),
      orderBy: [.init(.creationTimestamp, ascending: true), .init(.modelID, ascending: true)], maxResults: 50)
    search.selectiveTagKey = VersionTagKey.commit
    let expectedDiff = tagging.diffTags(for: version)[VersionTagKey.diff]
    var matches: [LoggedModel] = []
    for _ in 0..<4 {
      let page = try await store.searchLoggedModels(search)
      matches += page.models.filter { model in
        if version.repoURL == nil && model.tags[VersionTagKey.repoURL] != nil { return false }
        if version.isDirty && policy == .perDiff && model.tags[VersionTagKey.diff] != expectedDiff { return false }
        return true
      }
      guard let token = page.nextPageToken, matches.isEmpty else { break }
      search.pageToken = token
    }
    return matches
  }

  /// Brings an existing model's diff tags up to date, as Python's versioning does on reuse;
  /// only a one-per-commit dirty model's diff can change.
  private func refresh(_ model: LoggedModel, for version: GitVersion) async throws(MLflowStoreError) {
    guard version.isDirty, policy == .perCommit else { return }
    let tags = tagging.diffTags(for: version)
    guard tags.contains(where: { model.tags[$0.key] != $0.value }) else { return }
    try storeCompleteDiff(of: version, in: model, tags: tags)
    try await store.setLoggedModelTags(id: model.modelID, tags: tags)
  }

  /// Creates the model of `version` in the embedded store under the ID it was given before the
  /// store existed, READY, with its recorded tags and creation time, or finds it there already
  /// (a delivery that was interrupted). Its ID is kept even when another model of the same state
  /// appeared meanwhile (Python's versioning, say): the ID was handed out and traces use it.
  ///
  /// A model of the version that mlflow-git created and a killed registration left behind
  /// before the store went away is deleted: left PENDING (killed between creating and
  /// finalizing it), or READY and never handed out (killed before it was indexed). A
  /// registration hands out its model's ID only once it is indexed, so a READY model is kept
  /// when `handedOut` says its ID may be in use here (the index names it, a journaled trace
  /// carries it) or a trace in the store is linked to it (another clone sharing the database);
  /// left alone, an unused one would be a second model of the version, or be adopted as the
  /// oldest by a registration that does not know this one. Call with the registration lock held,
  /// so that no registration of the repository is still making or indexing it.
  ///
  /// - Throws: `.invalidArgument` when the store is not the embedded one (a tracking server
  ///   chooses its own IDs), or what the store throws.
  func create(
    _ version: GitVersion, id modelID: String, tags: [String: String], creationTimestamp: Int64,
    handedOut: (String) -> Bool
  ) async throws(MLflowStoreError) -> Found
  {
    guard let embedded = store as? SQLiteTrackingStore else {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "a tracking server chooses its own model IDs; deliver \(modelID) as a provisional ID instead")
    }
    var (model, created) = try await embedded.createLoggedModel(
      id: modelID, experimentID: experimentID, name: version.displayName, tags: tags, status: .ready,
      creationTimestamp: creationTimestamp)
    try storeCompleteDiff(of: version, in: model, tags: tags)
    if model.status == .pending { model = try await store.finalizeLoggedModel(id: modelID, status: .ready) }
    var undeleted: String?
    for other in try await matchingModels(of: version) where other.modelID != modelID && other.name == version.displayName {
      guard try await isAbandoned(other, handedOut: handedOut) else { continue }
      if await !delete(other.modelID) { undeleted = other.modelID }
    }
    return Found(model: model, created: created, undeletedDuplicate: undeleted)
  }

  /// `true` when `model`, an mlflow-git model of a version, is PENDING, or READY with its ID not
  /// handed out and no trace linked to it.
  private func isAbandoned(_ model: LoggedModel, handedOut: (String) -> Bool) async throws(MLflowStoreError) -> Bool {
    if model.status == .pending { return true }
    if handedOut(model.modelID) { return false }
    return try await store.searchTraces(experimentIDs: [experimentID], modelID: model.modelID).traces.isEmpty
  }

  /// Writes the complete diff as the model artifact `git.diff` when its tag had to be cut and
  /// the artifact location is on this machine (the embedded store's `mlruns/`).
  private func storeCompleteDiff(of version: GitVersion, in model: LoggedModel, tags: [String: String])
    throws(MLflowStoreError)
  {
    guard tags[VersionTagKey.diffArtifact] != nil, let diff = version.completeDiff else { return }
    var directory = model.artifactLocation
    if directory.hasPrefix("file://") { directory = String(directory.dropFirst("file://".count)) }
    guard directory.hasPrefix("/") else { return }
    do {
      try PrivateFiles.createDirectory(directory)
      try PrivateFiles.replace(directory + "/" + VersionTags.diffArtifactName, with: diff)
    } catch {
      throw MLflowStoreError(
        code: .databaseError,
        message: "could not store the complete diff of \(model.modelID): \(error)")
    }
  }
}
