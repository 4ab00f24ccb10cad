import GitState
import LocalFiles
import MLflowStore

/// Registers versions of one repository in one tracking store and experiment: opens the store
/// once, then finds or creates each version's model under the repository's registration lock
/// and records it in the local index. Used for one version at start-up and for a hook batch.
///
/// Versions of its store kept undelivered while the store was absent are delivered first,
/// under the same lock (see ``UndeliveredDelivery``).
struct Registrar: Sendable {
  let repository: GitRepository
  let trackingURI: TrackingURI
  let environment: [String: String]
  let experimentKey: String
  let experiment: Experiment
  let store: any TrackingStore
  let options: GitVersioningOptions
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
    options: GitVersioningOptions, store existingStore: (any TrackingStore)? = nil
  ) async throws(GitVersioningError) -> Registrar {
    let store: any TrackingStore
    if let existingStore {
      store = existingStore
    } else {
      store = try await VersionResolution.openStore(trackingURI, options: options, repository: repository)
    }
    let experiment: Experiment
    do {
      experiment = try await ExperimentSelection.resolve(in: store, environment: environment)
    } catch {
      throw GitVersioningError(.store(error))
    }
    let registry = VersionRegistry(
      store: store, experimentID: experiment.experimentID,
      tagging: VersionTagging(options: options, environment: environment))
    return Registrar(
      repository: repository, trackingURI: trackingURI, environment: environment,
      experimentKey: VersionResolution.experimentKey(environment), experiment: experiment, store: store,
      options: options, index: VersionIndex(stateDirectory: VersionResolution.stateDirectory(of: repository)),
      registry: registry)
  }

  /// The index key of `version` in this store and experiment.
  func key(for version: GitVersion) -> VersionIndex.Key {
    VersionIndex.Key(
      store: trackingURI.description, experiment: experimentKey, state: version.stateKey(policy: options.dirtyVersions))
  }

  /// Registers `versions` in order, holding the registration lock for the whole batch.
  ///
  /// - Parameter progress: Called after each version with the number done.
  func register(
    _ versions: [GitVersion], progress: (Int) -> Void = { _ in }
  ) async throws(GitVersioningError) -> [Outcome] {
    let directory = VersionResolution.stateDirectory(of: repository)
    let lock: FileLock
    do {
      try PrivateFiles.createDirectory(directory)
      lock = try FileLock.acquire(at: directory + "/register.lock")
    } catch {
      throw GitVersioningError(.localState(error))
    }
    defer { lock.release() }
    let waiting = UndeliveredVersions(stateDirectory: directory).all().filter { $0.trackingURI == trackingURI.description }
    if !waiting.isEmpty {
      // A version that cannot be delivered yet (its experiment is missing, say) stays
      // undelivered and does not stop this registration.
      _ = try? await UndeliveredDelivery.deliverLocked(
        waiting, to: store, repository: repository, options: options, environment: environment)
    }
    var outcomes: [Outcome] = []
    for version in versions {
      let key = key(for: version)
      if !VersionResolution.refreshesDiffTag(version, options), let modelID = index.modelID(for: key) {
        outcomes.append(Outcome(modelID: modelID, created: false, foundInIndex: true))
      } else {
        let result: (model: LoggedModel, created: Bool)
        do {
          result = try await registry.findOrCreate(version)
        } catch {
          throw GitVersioningError(.store(error))
        }
        do {
          try index.record(
            .init(
              key: key, modelID: result.model.modelID, branch: version.branch, commit: version.commit,
              isDirty: version.isDirty))
        } catch {
          throw GitVersioningError(.localState(error))
        }
        outcomes.append(Outcome(modelID: result.model.modelID, created: result.created, foundInIndex: false))
      }
      progress(outcomes.count)
    }
    return outcomes
  }
}
