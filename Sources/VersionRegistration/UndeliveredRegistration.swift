import GitState
import LocalFiles
import MLflowStore

#if canImport(Glibc)
import Glibc
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Registers versions while their store is absent: each gets its model ID at once — final for
/// the embedded store, provisional for a tracking server — and is kept as an
/// ``UndeliveredVersion`` and indexed, so apps and the CLI use it like any other version until
/// ``UndeliveredDelivery`` puts it in the store.
///
/// It runs under a lock of its own (`mlflow-git/undelivered.lock`), held only while local files
/// are read and written, so processes starting at once on a fresh state agree on one ID, and a
/// start never waits here for a registration talking to a store. An app start that finds the
/// registration lock busy (a worker's batch, see ``Registrar``) keeps its version here too,
/// with a provisional ID even for the embedded store: the worker may be creating the same
/// version's model, and delivery then finds that model and maps the ID to it
/// (``ModelIDMapping``) instead of creating a second one.
struct UndeliveredRegistration: Sendable {
  let repository: GitRepository
  let trackingURI: TrackingURI
  let experimentKey: String
  let options: RegistrationSettings
  let tagging: VersionTagging

  /// `true` when `error` means the store is absent, so versions are kept undelivered: no
  /// `mlflow.db` and no `mlflow` to create it, or a tracking server that did not answer.
  static func applies(to error: RegistrationError) -> Bool {
    guard case .store(let storeError) = error.source else { return false }
    return storeError.code == .storeNotCreated || storeError.code == .storeUnavailable
  }

  init(repository: GitRepository, trackingURI: TrackingURI, environment: [String: String], options: RegistrationSettings) {
    self.repository = repository
    self.trackingURI = trackingURI
    experimentKey = Registration.experimentKey(environment)
    self.options = options
    tagging = VersionTagging(options: options, environment: environment)
  }

  /// Provisional when the store chooses its own IDs (a tracking server).
  var isProvisional: Bool {
    if case .sqlite = trackingURI { return false }
    return true
  }

  /// Gives each version its model ID, in order: the indexed one when there is one, else a new
  /// one, recorded undelivered and indexed.
  ///
  /// - Parameter provisional: Give new IDs as provisional ones even for the embedded store
  ///   (its registration lock was busy, so the store may get the version's model meanwhile).
  func keep(_ versions: [GitVersion], provisional: Bool = false) async throws(RegistrationError)
    -> [Registrar.Outcome]
  {
    let directory = Registration.stateDirectory(of: repository)
    let index = VersionIndex(stateDirectory: directory)
    let folder = UndeliveredVersions(stateDirectory: directory)
    do throws(LocalFileError) {
      try Registration.createStateDirectory(directory)
      guard let lock = try await FileLock.acquire(at: StateFolder(path: directory).undeliveredLock, waitingAtMost: nil) else {
        throw LocalFileError(path: StateFolder(path: directory).undeliveredLock, operation: "lock", errno: ECANCELED)
      }
      defer { lock.release() }
      // A record whose index line was never written (killed in between) still owns its state.
      var recorded: [VersionIndex.Key: String] = [:]
      for version in folder.all() { recorded[version.indexKey] = version.modelID }
      var outcomes: [Registrar.Outcome] = []
      for version in versions {
        let key = VersionIndex.Key(
          store: trackingURI.description, experiment: experimentKey, state: version.stateKey(policy: options.dirtyVersions))
        if let modelID = index.modelID(for: key) ?? recorded[key] {
          if index.modelID(for: key) == nil { try index.record(entry(key, modelID, version)) }
          if Registration.refreshesDiffTag(version, options), var record = folder.find(modelID) {
            // One dirty version per commit: its diff follows the latest one, as in the store.
            record.tags.merge(tagging.diffTags(for: version)) { $1 }
            try folder.write(record, diff: version.diff, patch: version.patch)
          }
          outcomes.append(Registrar.Outcome(modelID: modelID, created: false, foundInIndex: true))
          continue
        }
        let modelID = Identifiers.newModelID()
        let record = UndeliveredVersion(
          modelID: modelID, isProvisional: provisional || isProvisional, key: key, dirtyVersions: options.dirtyVersions,
          version: version, creationTimestamp: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)),
          tags: tagging.tags(for: version))
        try folder.write(record, diff: version.diff, patch: version.patch)
        try index.record(entry(key, modelID, version))
        recorded[key] = modelID
        outcomes.append(Registrar.Outcome(modelID: modelID, created: true, foundInIndex: false))
      }
      return outcomes
    } catch {
      throw RegistrationError(.localState(error))
    }
  }

  private func entry(_ key: VersionIndex.Key, _ modelID: String, _ version: GitVersion) -> VersionIndex.Entry {
    VersionIndex.Entry(
      key: key, modelID: modelID, branch: version.branch, commit: version.commit, isDirty: version.isDirty,
      experimentID: key.experiment.hasPrefix("id:") ? String(key.experiment.dropFirst(3)) : nil)
  }
}
