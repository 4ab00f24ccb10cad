import GitState
import HTTPClient
import LocalFiles
import MLflowServerStore
import MLflowStore

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
/// This is the work behind ``enableGitModelVersioning(remoteName:options:)``, the CLI's
/// `status` and the hooks. A version the local index knows costs the Git state read and no
/// store request; otherwise the model is looked up, or created, under a per-repository lock.
/// When the store is absent (no `mlflow.db` and no `mlflow` to create it, or a tracking server
/// that does not answer), the version gets its model ID at once and is kept undelivered (see
/// ``UndeliveredVersion``) until the store is there.
///
/// # Usage
/// ```swift
/// let resolution = try await VersionResolution.resolve(options: GitVersioningOptions())
/// print(resolution.version.displayName, resolution.modelID)
/// ```
public struct VersionResolution: Sendable {
  /// The Git state.
  public let version: GitVersion
  /// The repository it was read from.
  public let repository: GitRepository
  /// The tracking store, as MLflow resolves it (`MLFLOW_TRACKING_URI`, then
  /// `git config mlflow.trackingUri`, then `sqlite:///mlflow.db` at the work tree's top).
  public let trackingURI: TrackingURI
  /// The experiment ID, or `nil` while it is not known: the version waits undelivered under an
  /// experiment name that has not been looked up.
  public let experimentID: String?
  /// The LoggedModel's ID.
  public let modelID: String
  /// `true` when the index answered and no store request was made.
  public let foundInIndex: Bool
  /// `true` when this call created the model (or, undelivered, gave the version its ID).
  public let created: Bool
  /// `false` while the version is undelivered: it has its model ID, but its store was absent,
  /// so it waits in local state for the next hook, app start or `mlflow-git sync`.
  public let isDelivered: Bool
  /// `true` when ``modelID`` is provisional: the version is undelivered and its store is a
  /// tracking server, which gives the model its own ID at delivery (see ``ModelIDMapping``).
  public let isProvisional: Bool
  /// Whether the store was asked about the model, or a check was skipped because the SQLite
  /// database has not changed since an earlier check found the model.
  public let storeCheck: StoreCheck

  let indexKey: VersionIndex.Key
  let options: GitVersioningOptions

  /// The model as traces and child processes should see it. While its experiment's ID is not
  /// known (the version waits undelivered under an experiment name), the name goes with it, so
  /// its traces go to that experiment whatever environment delivers them.
  public var activeModel: ActiveModel {
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
  public static func resolve(
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
      return GitVersion(snapshot: try repository.snapshot(options: .init(remoteName: remoteName, diffExclusions: exclusions)))
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
  public static func resolve(
    _ version: GitVersion, in repository: GitRepository, options: GitVersioningOptions = GitVersioningOptions()
  ) async throws(GitVersioningError) -> VersionResolution {
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    let trackingURI = try trackingURI(of: repository, environment: environment)
    let key = VersionIndex.Key(
      store: trackingURI.description, experiment: experimentKey(environment),
      state: version.stateKey(policy: options.dirtyVersions))
    let index = VersionIndex(stateDirectory: stateDirectory(of: repository))
    if !refreshesDiffTag(version, options), let found = index.find(key) {
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
  public func verified() async throws(GitVersioningError) -> VersionResolution {
    let stateDirectory = VersionResolution.stateDirectory(of: repository)
    if !isDelivered {
      _ = await UndeliveredDelivery.deliver(in: repository, options: options, only: trackingURI.description)
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
    let store = try await VersionResolution.openStore(trackingURI, options: options, repository: repository)
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
    let directory = VersionResolution.stateDirectory(of: repository)
    guard let lock = try await Registrar.lock(directory, waitingAtMost: nil) else { return }
    defer { lock.release() }
    do {
      try VersionIndex(stateDirectory: directory).remove(indexKey)
    } catch {
      throw GitVersioningError(.localState(error))
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
    let folder = UndeliveredVersions(stateDirectory: stateDirectory(of: repository))
    let undelivered = folder.contains(modelID) ? folder.find(modelID) : nil
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
  public static let startLockWait = Duration.milliseconds(50)

  /// Finds or creates the model under the repository's registration lock (waiting for it at
  /// most ``startLockWait``) and indexes it; when the store is absent, or the lock stays busy,
  /// gives the version its ID and keeps it undelivered.
  static func register(
    _ version: GitVersion, repository: GitRepository, trackingURI: TrackingURI, key: VersionIndex.Key,
    environment: [String: String], options: GitVersioningOptions, store: (any TrackingStore)? = nil
  ) async throws(GitVersioningError) -> VersionResolution {
    let registration = UndeliveredRegistration(
      repository: repository, trackingURI: trackingURI, environment: environment, options: options)
    do throws(GitVersioningError) {
      let wait = options.indexVerification == .beforeReturning ? nil : startLockWait
      guard let lock = try await Registrar.lock(stateDirectory(of: repository), waitingAtMost: wait) else {
        let outcome = try await registration.keep([version], provisional: true)[0]
        return indexed(
          outcome.modelID, version: version, repository: repository, trackingURI: trackingURI, key: key,
          options: options, created: outcome.created, storeCheck: .notMade)
      }
      defer { lock.release() }
      let registrar = try await Registrar.open(
        repository: repository, trackingURI: trackingURI, environment: environment, options: options, store: store)
      let outcome = try await registrar.registerLocked(version)
      return VersionResolution(
        version: version, repository: repository, trackingURI: trackingURI,
        experimentID: registrar.experiment.experimentID, modelID: outcome.modelID,
        foundInIndex: outcome.foundInIndex, created: outcome.created, isDelivered: true, isProvisional: false,
        storeCheck: .made, indexKey: key, options: options)
    } catch where UndeliveredRegistration.applies(to: error) {
      let outcome = try await registration.keep([version])[0]
      return indexed(
        outcome.modelID, version: version, repository: repository, trackingURI: trackingURI, key: key,
        options: options, created: outcome.created, storeCheck: .made)
    }
  }

  /// A one-per-commit dirty version's diff tag follows the latest diff (as in Python), so its
  /// model must be updated on every start: the index cannot answer for it.
  static func refreshesDiffTag(_ version: GitVersion, _ options: GitVersioningOptions) -> Bool {
    version.isDirty && options.dirtyVersions == .perCommit
  }

  /// The tracking store MLflow would use for this repository: `MLFLOW_TRACKING_URI`, then
  /// `git config mlflow.trackingUri`, then `sqlite:///mlflow.db` at the work tree's top.
  ///
  /// - Parameter workingDirectory: What a relative URI is relative to; the current directory
  ///   when `nil`.
  static func trackingURI(of repository: GitRepository, environment: [String: String], workingDirectory: String? = nil)
    throws(GitVersioningError) -> TrackingURI
  {
    let configured: String?
    do {
      configured = try repository.configValue("mlflow.trackingUri")
    } catch {
      throw GitVersioningError(.git(error))
    }
    do {
      return try TrackingURI.resolve(
        environment: environment, repositorySetting: configured,
        repositorySettingName: "git config mlflow.trackingUri", defaultDirectory: repository.workTree,
        workingDirectory: workingDirectory ?? FileManager.default.currentDirectoryPath)
    } catch {
      throw GitVersioningError(.store(error))
    }
  }

  /// The environment variables that authenticate requests to a tracking server.
  static let credentialVariables = ["MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"]

  /// How to connect to the store `uri` names when `uri` has no credentials (a store recorded
  /// for a journaled state or an undelivered version, see ``MLflowStore/TrackingURI/description``):
  /// through the URI of `environment`, or of the repository's setting, that names the same
  /// store — it may carry the credentials the record left out — else through `uri` itself. The
  /// credential variables of `environment` (``credentialVariables``) go only to the store
  /// `environment` itself uses, as MLflow sends them: a store another shell chose gets none.
  ///
  /// - Returns: The URI to connect with, and the environment to open its store with.
  static func connection(to uri: TrackingURI, repository: GitRepository, environment: [String: String])
    -> (uri: TrackingURI, environment: [String: String])
  {
    if let current = try? trackingURI(of: repository, environment: environment), current.description == uri.description {
      return (current, environment)
    }
    var withoutCredentials = environment
    for name in credentialVariables { withoutCredentials[name] = nil }
    if let setting = try? repository.configValue("mlflow.trackingUri"), !setting.isEmpty,
      let configured = try? TrackingURI.resolve(
        environment: [:], repositorySetting: setting, defaultDirectory: repository.workTree),
      configured.description == uri.description
    {
      return (configured, withoutCredentials)
    }
    return (uri, withoutCredentials)
  }

  /// ``connection(to:repository:environment:)`` for a recorded ``MLflowStore/TrackingURI/description``.
  static func connection(toRecorded stored: String, repository: GitRepository, environment: [String: String])
    throws(GitVersioningError) -> (uri: TrackingURI, environment: [String: String])
  {
    do {
      let uri = try TrackingURI(parsing: stored, relativeTo: "/", settingName: "a recorded tracking URI")
      return connection(to: uri, repository: repository, environment: environment)
    } catch {
      throw GitVersioningError(.store(error))
    }
  }

  /// The tracking store for the repository around `directory` (the current directory when
  /// `nil`), or `nil` when there is no repository or no valid setting: resolving the version
  /// there reports why.
  package static func trackingURI(forDirectory directory: String?, environment: [String: String]) -> TrackingURI? {
    guard let repository = try? GitRepository.discover(from: directory, environment: environment) else { return nil }
    return try? trackingURI(of: repository, environment: environment)
  }

  /// Opens the store a tracking URI names.
  static func openStore(_ uri: TrackingURI, options: GitVersioningOptions, repository: GitRepository)
    async throws(GitVersioningError) -> any TrackingStore
  {
    switch uri {
    case .sqlite(let path):
      do {
        var storeOptions = SQLiteTrackingStore.Options()
        if let environment = options.environment { storeOptions.environment = environment }
        if storeOptions.environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] == nil {
          // `mlflow-git install --mlflow-executable` records one for hooks run without it on PATH.
          storeOptions.mlflowExecutable = try? repository.configValue("mlflow-git.mlflowExecutable")
        }
        return try await SQLiteTrackingStore.open(databasePath: path, options: storeOptions)
      } catch {
        throw GitVersioningError(.store(error))
      }
    case .server(let url):
      do {
        return try RESTTrackingStore(
          serverURL: url, environment: options.environment ?? ProcessInfo.processInfo.environment)
      } catch {
        throw GitVersioningError(.store(error))
      }
    case .fileStore(let path):
      throw GitVersioningError(
        .store(
          MLflowStoreError(
            code: .invalidConfiguration,
            message: "the tracking URI is MLflow's file store at \(path), which MLflow 3.13+ keeps in maintenance "
              + "mode; migrate it (`mlflow migrate-filestore`) or set MLFLOW_TRACKING_URI=sqlite:///mlflow.db")))
    }
  }

  /// mlflow-git's state folder in the repository's Git common directory (shared by worktrees).
  static func stateDirectory(of repository: GitRepository) -> String {
    repository.commonDirectory + "/mlflow-git"
  }

  /// Creates the state folder `stateDirectory` (`<git common dir>/mlflow-git`) and, when given,
  /// its subfolder `name`, never their parents: a background worker whose repository was
  /// removed meanwhile fails instead of making its Git directory anew.
  static func createStateDirectory(_ stateDirectory: String, subfolder name: String? = nil) throws(LocalFileError) {
    try PrivateFiles.createDirectory(stateDirectory, creatingParents: false)
    if let name { try PrivateFiles.createDirectory(stateDirectory + "/" + name, creatingParents: false) }
  }

  /// Which experiment the environment selects, without asking the store: by name, by ID, or
  /// the default.
  static func experimentKey(_ environment: [String: String]) -> String {
    if let name = environment[ExperimentSelection.nameVariable] { return "name:" + name }
    if let id = environment[ExperimentSelection.idVariable], !id.isEmpty { return "id:" + id }
    return "id:" + Experiment.defaultExperimentID
  }

  /// The program's file name, as Python records `sys.argv[0]` in `mlflow.source.name`.
  package static func programName() -> String {
    let path = CommandLine.arguments.first ?? "mlflow-git"
    return path.split(separator: "/").last.map(String.init) ?? path
  }

  /// Who runs the program, as MLflow records it in `mlflow.user`: `MLFLOW_TRACKING_USERNAME`,
  /// else the login name, found as Python's `getpass.getuser()` finds it.
  package static func userName(_ environment: [String: String]) -> String? {
    if let user = environment["MLFLOW_TRACKING_USERNAME"], !user.isEmpty { return user }
    for variable in ["LOGNAME", "USER", "LNAME", "USERNAME"] {
      if let user = environment[variable], !user.isEmpty { return user }
    }
    if StaticExecutable.isCurrentProcess {
      // getpwuid would load NSS modules (`systemd`, `ldap` …), which a static executable must not.
      return LocalUsers.name(of: geteuid())
    }
    guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
    return String(cString: name)
  }
}
