package import GitState
import LocalFiles
package import MLflowStore
import VersionRegistration

#if canImport(Glibc)
import Glibc
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The current Git version and the LoggedModel that stands for it, in the tracking store and
/// experiment MLflow would use.
///
/// This is the work behind ``enableGitModelVersioning(remoteName:options:)`` and the CLI's
/// `status`. A version the local index knows (the hooks registered it) costs the Git state read
/// and no store request; otherwise the registration half (`VersionRegistration`) looks the
/// model up, or creates it, under a per-repository lock.
/// When the store is absent (no `mlflow.db` and no `mlflow` to create it, or a tracking server
/// that does not answer), the version gets its model ID at once and is kept undelivered (see
/// ``UndeliveredVersion``) until the store is there.
///
/// # Usage
/// ```swift
/// let resolution = try await VersionResolution.resolve(options: GitVersioningOptions(directory: appDirectory))
/// print(resolution.version.displayName, resolution.modelID)
/// ```
package struct VersionResolution: Sendable {
  /// The Git state.
  package let version: GitVersion
  /// The repository it was read from.
  package let repository: GitRepository
  /// The tracking store, as MLflow resolves it (`MLFLOW_TRACKING_URI`, then
  /// `git config mlflow.trackingUri`, then `sqlite:///mlflow.db` at the work tree's top).
  package let trackingURI: TrackingURI
  /// The experiment ID, or `nil` while it is not known: the version waits undelivered under an
  /// experiment name that has not been looked up.
  package let experimentID: String?
  /// The LoggedModel's ID.
  package let modelID: String
  /// `true` when the index answered and no store request was made.
  package let foundInIndex: Bool
  /// `true` when this call created the model (or, undelivered, gave the version its ID).
  package let created: Bool
  /// `false` while the version is undelivered: it has its model ID, but its store was absent,
  /// so it waits in local state for the next hook, app start or `mlflow-git sync`.
  package let isDelivered: Bool
  /// `true` when ``modelID`` is provisional: the version is undelivered and its store is a
  /// tracking server, which gives the model its own ID at delivery (see ``ModelIDMapping``).
  package let isProvisional: Bool
  /// Whether the store was asked about the model, or a check was skipped because the SQLite
  /// database has not changed since an earlier check found the model.
  package let storeCheck: StoreCheck

  let indexKey: VersionIndex.Key
  let options: GitVersioningOptions

  /// The model as traces and child processes should see it. While its experiment's ID is not
  /// known (the version waits undelivered under an experiment name), the name goes with it, so
  /// its traces go to that experiment whatever environment delivers them.
  package var activeModel: ActiveModel {
    var model = ActiveModel(modelID: modelID, trackingURI: trackingURI.description, experimentID: experimentID)
    if experimentID == nil, indexKey.experiment.hasPrefix("name:") {
      model.experimentName = String(indexKey.experiment.dropFirst("name:".count))
    }
    return model
  }

  /// Resolves the current version: reads the Git state, then the index, then the store.
  ///
  /// - Throws: ``GitVersioningError`` from Git (not a repository, detached, no commits …),
  ///   the store (not created yet, unsupported, busy …) or the local state files.
  package static func resolve(
    remoteName: String = "origin",
    options: GitVersioningOptions = GitVersioningOptions()
  ) async throws(GitVersioningError) -> VersionResolution {
    let repository: GitRepository
    do {
      repository = try GitRepository.discover(from: options.directory, environment: options.environment)
    } catch {
      throw GitVersioningError(.git(error))
    }
    return try await resolve(
      try currentVersion(of: repository, remoteName: remoteName, options: options), in: repository, options: options)
  }

  /// The current state of `repository` as a version; its diff leaves out the paths
  /// `options.diffExclusions` and `git config mlflow-git.diffExclude` name.
  static func currentVersion(
    of repository: GitRepository, remoteName: String, options: GitVersioningOptions
  ) throws(GitVersioningError) -> GitVersion {
    do {
      let configured = try repository.configValue("mlflow-git.diffExclude") ?? ""
      let exclusions = options.diffExclusions
        + configured.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
      return GitVersion(
        snapshot: try repository.snapshot(
          options: .init(remoteName: remoteName, diffExclusions: exclusions, recordsFolder: StateFolder.name)))
    } catch {
      throw GitVersioningError(.git(error))
    }
  }

  /// Resolves a given version of `repository` (a branch's past commit, say) as
  /// ``resolve(remoteName:options:)`` resolves the current state: from the index, else the
  /// store, registering the version when it has no model yet (or keeping it undelivered while
  /// the store is absent).
  ///
  /// - Throws: ``GitVersioningError`` from the store or the local state files.
  package static func resolve(
    _ version: GitVersion, in repository: GitRepository, options: GitVersioningOptions = GitVersioningOptions()
  ) async throws(GitVersioningError) -> VersionResolution {
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    let trackingURI: TrackingURI
    do {
      trackingURI = try Registration.trackingURI(of: repository, environment: environment)
    } catch {
      throw GitVersioningError(error)
    }
    let key = VersionIndex.Key(
      store: trackingURI.description, experiment: Registration.experimentKey(environment),
      state: version.stateKey(policy: options.dirtyVersions))
    let index = VersionIndex(stateDirectory: Registration.stateDirectory(of: repository))
    if !Registration.refreshesDiffTag(version, options.settings), let found = index.find(key) {
      let resolution = indexed(
        found.modelID, version: version, repository: repository, trackingURI: trackingURI, key: key, options: options,
        experimentID: found.experimentID)
      if options.indexVerification == .beforeReturning { return try await resolution.verified() }
      return resolution
    }
    return try await register(
      version, repository: repository, trackingURI: trackingURI, key: key, environment: environment, options: options)
  }

  /// Checks the indexed model against the store; when it was deleted there, forgets it and
  /// resolves the version again (finding or creating its model).
  ///
  /// In an SQLite store, a check that finds the model records the database's state (its
  /// ``SQLiteChangeStamp``, taken before and after the check); while the database stays in
  /// that state, the next check of the model is skipped without opening it
  /// (``StoreCheck/storeUnchanged``). Any write to the database makes the next check real.
  ///
  /// An undelivered version is delivered first when its store is there; while it is absent,
  /// the version is returned as it is.
  package func verified() async throws(GitVersioningError) -> VersionResolution {
    let stateDirectory = Registration.stateDirectory(of: repository)
    if !isDelivered {
      await Registration.deliverUndelivered(in: repository, settings: options.settings, only: trackingURI.description)
      let index = VersionIndex(stateDirectory: stateDirectory)
      return VersionResolution.indexed(
        index.modelID(for: indexKey) ?? modelID, version: version, repository: repository, trackingURI: trackingURI,
        key: indexKey, options: options, storeCheck: .made)
    }
    let checks = StoreCheckRecord(stateDirectory: stateDirectory)
    let databasePath: String? = if case .sqlite(let path) = trackingURI { path } else { nil }
    let before = databasePath.flatMap { SQLiteChangeStamp.read(databasePath: $0) }
    if let databasePath, let before,
      checks.experimentIDs(of: modelID, in: databasePath, at: before).contains(where: acceptsExperiment)
    {
      return with(storeCheck: .storeUnchanged)
    }
    let store: any TrackingStore
    do {
      store = try await Registration.openStore(trackingURI, options: options.settings, repository: repository)
    } catch {
      throw GitVersioningError(error)
    }
    do {
      let model = try await store.loggedModel(id: modelID)
      if acceptsExperiment(model.experimentID) {
        // Only a state that did not change during the check vouches for the model.
        if let databasePath, let before, SQLiteChangeStamp.read(databasePath: databasePath) == before {
          checks.record(
            .init(databasePath: databasePath, stamp: before, modelID: modelID, experimentID: model.experimentID))
        }
        return with(storeCheck: .made)
      }
    } catch where error.code == .modelNotFound {
    } catch {
      throw GitVersioningError(.store(error))
    }
    try await forgetIndexedModel()
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    return try await VersionResolution.register(
      version, repository: repository, trackingURI: trackingURI, key: indexKey, environment: environment,
      options: options, store: store)
  }

  /// Removes the index entry of this resolution's version, under the registration lock (as
  /// every index write, see ``VersionIndex``).
  private func forgetIndexedModel() async throws(GitVersioningError) {
    do {
      try await Registration.forget(indexKey, in: repository)
    } catch {
      throw GitVersioningError(error)
    }
  }

  /// `true` when a model in experiment `modelExperimentID` may stand for this resolution: it
  /// names no experiment (the index answered under an experiment name), or that one.
  func acceptsExperiment(_ modelExperimentID: String) -> Bool {
    experimentID == nil || experimentID == modelExperimentID
  }

  /// This resolution, with `storeCheck` telling how it was verified.
  func with(storeCheck: StoreCheck) -> VersionResolution {
    VersionResolution(
      version: version, repository: repository, trackingURI: trackingURI, experimentID: experimentID,
      modelID: modelID, foundInIndex: foundInIndex, created: created, isDelivered: isDelivered,
      isProvisional: isProvisional, storeCheck: storeCheck, indexKey: indexKey, options: options)
  }

  /// The resolution of a version whose model the index gave: undelivered when its record says so.
  ///
  /// - Parameter experimentID: The experiment's ID the index recorded, if any; else the ID the
  ///   environment selected, when it selected one by ID.
  static func indexed(
    _ modelID: String, version: GitVersion, repository: GitRepository, trackingURI: TrackingURI,
    key: VersionIndex.Key, options: GitVersioningOptions, created: Bool = false, storeCheck: StoreCheck = .notMade,
    experimentID: String? = nil
  ) -> VersionResolution {
    let undelivered = UndeliveredVersions(stateDirectory: Registration.stateDirectory(of: repository)).find(modelID)
    return VersionResolution(
      version: version, repository: repository, trackingURI: trackingURI,
      experimentID: experimentID ?? (key.experiment.hasPrefix("id:") ? String(key.experiment.dropFirst(3)) : nil),
      modelID: modelID, foundInIndex: !created, created: created,
      isDelivered: undelivered == nil, isProvisional: undelivered?.isProvisional ?? false, storeCheck: storeCheck,
      indexKey: key, options: options)
  }

  /// How long an app start waits for the registration lock, which a worker (or another start)
  /// holds while it registers one version with the store. Past it, the start goes on at once
  /// with an ID it can give now, as when the store is absent: the version is kept undelivered
  /// with a provisional ID, delivered in the background (see ``UndeliveredRegistration``). A
  /// start that asked for a store check before returning
  /// (``GitVersioningOptions/IndexVerification/beforeReturning``, as `mlflow-git status` does)
  /// waits for the lock instead: it wants the store's answer.
  package static let startLockWait = Duration.milliseconds(50)

  /// Registers a version the index does not know, through the registration half's one door
  /// (``VersionRegistration/Registration/register(_:in:trackingURI:environment:settings:waitingAtMost:store:)``):
  /// finds or creates the model under the repository's registration lock (waiting for it at
  /// most ``startLockWait``) and indexes it; when the store is absent, or the lock stays busy,
  /// the version gets its ID and is kept undelivered.
  static func register(
    _ version: GitVersion, repository: GitRepository, trackingURI: TrackingURI, key: VersionIndex.Key,
    environment: [String: String], options: GitVersioningOptions, store: (any TrackingStore)? = nil
  ) async throws(GitVersioningError) -> VersionResolution {
    let registered: Registration.Registered
    do {
      registered = try await Registration.register(
        version, in: repository, trackingURI: trackingURI, environment: environment, settings: options.settings,
        waitingAtMost: options.indexVerification == .beforeReturning ? nil : startLockWait, store: store)
    } catch {
      throw GitVersioningError(error)
    }
    guard registered.isDelivered else {
      return indexed(
        registered.modelID, version: version, repository: repository, trackingURI: trackingURI, key: key,
        options: options, created: registered.created, storeCheck: registered.askedStore ? .made : .notMade)
    }
    return VersionResolution(
      version: version, repository: repository, trackingURI: trackingURI, experimentID: registered.experimentID,
      modelID: registered.modelID, foundInIndex: registered.foundInIndex, created: registered.created,
      isDelivered: true, isProvisional: false, storeCheck: .made, indexKey: key, options: options)
  }

}
