import GitState
import LocalFiles
import MLflowStore

#if canImport(Glibc)
import Glibc
#endif

/// Registers versions of one repository in one tracking store and experiment: opens the store
/// once, then finds or creates each version's model under the repository's registration lock
/// and records it in the local index. Used for one version at start-up and for a hook batch.
///
/// The registration lock (`mlflow-git/register.lock`) is held for one version at a time, never
/// for a whole batch: an app start that needs it waits for at most one version of a worker's
/// batch, and only up to the runtime's `VersionResolution.startLockWait`. Versions of its store kept
/// undelivered while the store was absent are delivered first, one at a time under the same lock
/// (see ``UndeliveredDelivery``), and duplicates an earlier registration could not delete are
/// deleted (see ``DuplicateModels``).
struct Registrar: Sendable {
  let repository: GitRepository
  let trackingURI: TrackingURI
  let environment: [String: String]
  let experimentKey: String
  let experiment: Experiment
  let store: any TrackingStore
  let options: RegistrationSettings
  let index: VersionIndex
  let registry: VersionRegistry

  /// What registering one version found.
  struct Outcome: Sendable {
    var modelID: String
    var created: Bool
    /// Another process had registered it while this one waited for the lock.
    var foundInIndex: Bool
  }

  static func open(
    repository: GitRepository, trackingURI: TrackingURI, environment: [String: String],
    options: RegistrationSettings, store existingStore: (any TrackingStore)? = nil
  ) async throws(RegistrationError) -> Registrar {
    let store: any TrackingStore
    if let existingStore {
      store = existingStore
    } else {
      store = try await Registration.openStore(trackingURI, options: options, repository: repository)
    }
    let experiment: Experiment
    do {
      experiment = try await ExperimentSelection.resolve(in: store, environment: environment)
    } catch {
      throw RegistrationError(.store(error))
    }
    let registry = VersionRegistry(
      store: store, experimentID: experiment.experimentID,
      tagging: VersionTagging(options: options, environment: environment))
    return Registrar(
      repository: repository, trackingURI: trackingURI, environment: environment,
      experimentKey: Registration.experimentKey(environment), experiment: experiment, store: store,
      options: options, index: VersionIndex(stateDirectory: Registration.stateDirectory(of: repository)),
      registry: registry)
  }

  /// The index key of `version` in this store and experiment.
  func key(for version: GitVersion) -> VersionIndex.Key {
    VersionIndex.Key(
      store: trackingURI.description, experiment: experimentKey, state: version.stateKey(policy: options.dirtyVersions))
  }

  /// The registration lock of the repository whose state folder is `directory`, waited for at
  /// most `limit` (`nil`: as long as it takes) without blocking a thread; `nil` when the time
  /// was up.
  static func lock(_ directory: String, waitingAtMost limit: Duration?) async throws(RegistrationError) -> FileLock? {
    do {
      try Registration.createStateDirectory(directory)
      return try await FileLock.acquire(at: StateFolder(path: directory).registerLock, waitingAtMost: limit)
    } catch {
      throw RegistrationError(.localState(error))
    }
  }

  /// Registers `versions` in order, taking the registration lock for each version in turn.
  ///
  /// - Parameter progress: Called after each version with the number done.
  func register(
    _ versions: [GitVersion], progress: (Int) -> Void = { _ in }
  ) async throws(RegistrationError) -> [Outcome] {
    let directory = Registration.stateDirectory(of: repository)
    try await migrateLegacyIndex()
    let folder = UndeliveredVersions(stateDirectory: directory)
    for record in folder.all() where record.trackingURI == trackingURI.description {
      guard let lock = try await Self.lock(directory, waitingAtMost: nil) else { continue }
      defer { lock.release() }
      // Delivered by another process meanwhile, or not deliverable yet (its experiment is
      // missing, say): neither stops this registration.
      guard folder.contains(record.modelID) else { continue }
      _ = try? await UndeliveredDelivery.deliverLocked(
        [record], to: store, repository: repository, options: options, environment: environment)
    }
    try await deleteDuplicates()
    var outcomes: [Outcome] = []
    for version in versions {
      guard let lock = try await Self.lock(directory, waitingAtMost: nil) else { break }
      defer { lock.release() }
      outcomes.append(try await registerLocked(version))
      progress(outcomes.count)
    }
    return outcomes
  }

  /// Registers one version: the indexed model, or the one found or created in the store, then
  /// indexed. Call with the registration lock held.
  func registerLocked(_ version: GitVersion) async throws(RegistrationError) -> Outcome {
    let key = key(for: version)
    if !Registration.refreshesDiffTag(version, options), let modelID = index.modelID(for: key) {
      return Outcome(modelID: modelID, created: false, foundInIndex: true)
    }
    let found: VersionRegistry.Found
    do {
      found = try await registry.findOrCreate(version)
    } catch {
      throw RegistrationError(.store(error))
    }
    do {
      if let duplicate = found.undeletedDuplicate {
        try DuplicateModels(stateDirectory: Registration.stateDirectory(of: repository))
          .record(duplicate, store: trackingURI.description)
      }
      try index.record(
        .init(
          key: key, modelID: found.model.modelID, branch: version.branch, commit: version.commit,
          isDirty: version.isDirty, experimentID: experiment.experimentID))
    } catch {
      throw RegistrationError(.localState(error))
    }
    return Outcome(modelID: found.model.modelID, created: found.created, foundInIndex: false)
  }

  /// Moves an earlier mlflow-git's one-file index into the split one (see ``VersionIndex``),
  /// holding both locks under which the index is written.
  func migrateLegacyIndex() async throws(RegistrationError) {
    let directory = Registration.stateDirectory(of: repository)
    guard access(index.legacyPath, F_OK) == 0, let lock = try await Self.lock(directory, waitingAtMost: nil) else {
      return
    }
    defer { lock.release() }
    do {
      guard let undelivered = try await FileLock.acquire(at: StateFolder(path: directory).undeliveredLock, waitingAtMost: nil) else {
        return
      }
      defer { undelivered.release() }
      try index.migrateLegacyFile()
    } catch {
      throw RegistrationError(.localState(error))
    }
  }

  /// Deletes the duplicates earlier registrations in this store could not delete, under the
  /// registration lock; those that still cannot be deleted wait for the next batch.
  func deleteDuplicates() async throws(RegistrationError) {
    let directory = Registration.stateDirectory(of: repository)
    let duplicates = DuplicateModels(stateDirectory: directory)
    let waiting = duplicates.waiting(in: trackingURI.description)
    guard !waiting.isEmpty, let lock = try await Self.lock(directory, waitingAtMost: nil) else { return }
    defer { lock.release() }
    var deleted = Set<String>()
    for modelID in waiting where await registry.delete(modelID) { deleted.insert(modelID) }
    do {
      try duplicates.forget(deleted, in: trackingURI.description)
    } catch {
      throw RegistrationError(.localState(error))
    }
  }
}
