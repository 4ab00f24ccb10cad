import LocalFiles
import MLflowStore

/// Finds the LoggedModel that stands for a version, or creates it, without duplicates.
///
/// Within one repository clone, callers serialize on a file lock (see ``GitVersioning``).
/// Across machines that share only a tracking server, creators converge: after creating, a
/// registry re-reads every model of the version, oldest first, and when an older one exists it
/// deletes its own and adopts that one — so all of them end on the oldest.
struct VersionRegistry: Sendable {
  let store: any TrackingStore
  let experimentID: String
  let tagging: VersionTagging

  var policy: DirtyVersionPolicy { tagging.policy }

  /// The model for `version`, created (named after the version, status READY) when none exists.
  ///
  /// - Parameter recordedTags: The tags to create it with when they were fixed earlier (a
  ///   version kept undelivered); `nil` means this process's tags for it.
  func findOrCreate(_ version: GitVersion, recordedTags: [String: String]? = nil)
    async throws(MLflowStoreError) -> (model: LoggedModel, created: Bool)
  {
    if let existing = try await matchingModels(of: version).first {
      try await refresh(existing, for: version)
      return (existing, false)
    }
    let tags = recordedTags ?? tagging.tags(for: version)
    let created = try await store.createLoggedModel(
      experimentID: experimentID, name: version.displayName, tags: tags, params: [:], modelType: nil, sourceRunID: nil)
    try storeCompleteDiff(of: version, in: created, tags: tags)
    let ready = try await store.finalizeLoggedModel(id: created.modelID, status: .ready)
    // Converge with creators that raced us from other processes or machines: the oldest wins.
    guard let oldest = try await matchingModels(of: version).first, oldest.modelID != ready.modelID else {
      return (ready, true)
    }
    try? await store.deleteLoggedModel(id: ready.modelID)
    return (oldest, false)
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
  /// - Throws: `.invalidArgument` when the store is not the embedded one (a tracking server
  ///   chooses its own IDs), or what the store throws.
  func create(_ version: GitVersion, id modelID: String, tags: [String: String], creationTimestamp: Int64)
    async throws(MLflowStoreError) -> (model: LoggedModel, created: Bool)
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
    return (model, created)
  }

  /// Writes the complete diff as the model artifact `git.diff` when its tag had to be cut and
  /// the artifact location is on this machine (the embedded store's `mlruns/`).
  private func storeCompleteDiff(of version: GitVersion, in model: LoggedModel, tags: [String: String])
    throws(MLflowStoreError)
  {
    guard tags[VersionTagKey.diffArtifact] != nil, let diff = version.diff else { return }
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
