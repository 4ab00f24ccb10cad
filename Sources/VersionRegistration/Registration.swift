package import GitState
package import LocalFiles
import MLflowServerStore
package import MLflowStore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The registration half's door: what the runtime (`GitVersioning`) asks of it when the hooks
/// could not have done the work — a version the index does not know (a new dirty diff, a state
/// no hook saw), an index entry whose model the store no longer has, versions kept undelivered
/// while their store was absent — and where a repository's store and state folder are.
///
/// Everything else the hook worker and the CLI use directly (``JournalDelivery``,
/// ``Registrar``, ``VersionCatalog`` …); an app never calls any of it.
///
/// # Usage
/// ```swift
/// let registered = try await Registration.register(
///   version, in: repository, trackingURI: uri, environment: environment, settings: RegistrationSettings(),
///   waitingAtMost: .milliseconds(50))
/// print(registered.modelID, registered.isDelivered)
/// ```
package enum Registration {
  /// What registering one version did.
  package struct Registered: Sendable {
    /// The model's ID (provisional while ``isProvisional``).
    package var modelID: String
    /// The experiment's ID when the store was reached; `nil` when the version was kept undelivered.
    package var experimentID: String?
    /// Another process had registered the version while this one waited for the lock.
    package var foundInIndex: Bool
    /// This call created the model (or, kept undelivered, gave the version its ID).
    package var created: Bool
    /// `false` when the version was kept undelivered: its store was absent, or the lock busy.
    package var isDelivered: Bool
    /// `true` when the store was asked (or found absent); `false` when the lock stayed busy.
    package var askedStore: Bool
  }

  /// Finds or creates the model of `version` under the repository's registration lock (waiting
  /// for it at most `wait`, `nil`: as long as it takes) and indexes it; when the store is absent,
  /// or the lock stays busy, gives the version its ID and keeps it undelivered (see
  /// ``UndeliveredRegistration``).
  package static func register(
    _ version: GitVersion, in repository: GitRepository, trackingURI: TrackingURI, environment: [String: String],
    settings: RegistrationSettings, waitingAtMost wait: Duration?, store: (any TrackingStore)? = nil
  ) async throws(RegistrationError) -> Registered {
    let registration = UndeliveredRegistration(
      repository: repository, trackingURI: trackingURI, environment: environment, options: settings)
    do throws(RegistrationError) {
      guard let lock = try await Registrar.lock(stateDirectory(of: repository), waitingAtMost: wait) else {
        let outcome = try await registration.keep([version], provisional: true)[0]
        return Registered(
          modelID: outcome.modelID, experimentID: nil, foundInIndex: false, created: outcome.created,
          isDelivered: false, askedStore: false)
      }
      defer { lock.release() }
      let registrar = try await Registrar.open(
        repository: repository, trackingURI: trackingURI, environment: environment, options: settings, store: store)
      let outcome = try await registrar.registerLocked(version)
      return Registered(
        modelID: outcome.modelID, experimentID: registrar.experiment.experimentID, foundInIndex: outcome.foundInIndex,
        created: outcome.created, isDelivered: true, askedStore: true)
    } catch where UndeliveredRegistration.applies(to: error) {
      let outcome = try await registration.keep([version])[0]
      return Registered(
        modelID: outcome.modelID, experimentID: nil, foundInIndex: false, created: outcome.created,
        isDelivered: false, askedStore: true)
    }
  }

  /// Removes the index entry `key` of `repository` (its model is gone from the store), under
  /// the registration lock, as every index write (see ``VersionIndex``).
  package static func forget(_ key: VersionIndex.Key, in repository: GitRepository) async throws(RegistrationError) {
    let directory = stateDirectory(of: repository)
    guard let lock = try await Registrar.lock(directory, waitingAtMost: nil) else { return }
    defer { lock.release() }
    do {
      try VersionIndex(stateDirectory: directory).remove(key)
    } catch {
      throw RegistrationError(.localState(error))
    }
  }

  /// Delivers the repository's undelivered versions whose stores are there now (only those of
  /// the store `only` names, when given); see ``UndeliveredDelivery``.
  package static func deliverUndelivered(
    in repository: GitRepository, settings: RegistrationSettings, only store: String? = nil
  ) async {
    _ = await UndeliveredDelivery.deliver(in: repository, options: settings, only: store)
  }

  /// `true` when versions of `repository` wait undelivered.
  package static func hasUndelivered(in repository: GitRepository) -> Bool {
    !UndeliveredVersions(stateDirectory: stateDirectory(of: repository)).isEmpty
  }

  /// A one-per-commit dirty version's diff tag follows the latest diff (as in Python), so its
  /// model must be updated on every start: the index cannot answer for it.
  package static func refreshesDiffTag(_ version: GitVersion, _ options: RegistrationSettings) -> Bool {
    version.isDirty && options.dirtyVersions == .perCommit
  }

  /// The tracking store MLflow would use for this repository: `MLFLOW_TRACKING_URI`, then
  /// `git config mlflow.trackingUri`, then `sqlite:///mlflow.db` at the work tree's top.
  ///
  /// - Parameter workingDirectory: What a relative URI is relative to; the current directory
  ///   when `nil`.
  package static func trackingURI(of repository: GitRepository, environment: [String: String], workingDirectory: String? = nil)
    throws(RegistrationError) -> TrackingURI
  {
    let configured: String?
    do {
      configured = try repository.configValue("mlflow.trackingUri")
    } catch {
      throw RegistrationError(.git(error))
    }
    do {
      return try TrackingURI.resolve(
        environment: environment, repositorySetting: configured,
        repositorySettingName: "git config mlflow.trackingUri", defaultDirectory: repository.workTree,
        workingDirectory: workingDirectory ?? FileManager.default.currentDirectoryPath)
    } catch {
      throw RegistrationError(.store(error))
    }
  }

  /// The environment variables that authenticate requests to a tracking server.
  package static let credentialVariables = ["MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"]

  /// How to connect to the store `uri` names when `uri` has no credentials (a store recorded
  /// for a journaled state or an undelivered version, see ``MLflowStore/TrackingURI/description``):
  /// through the URI of `environment`, or of the repository's setting, that names the same
  /// store — it may carry the credentials the record left out — else through `uri` itself. The
  /// credential variables of `environment` (``credentialVariables``) go only to the store
  /// `environment` itself uses, as MLflow sends them: a store another shell chose gets none.
  ///
  /// - Returns: The URI to connect with, and the environment to open its store with.
  package static func connection(to uri: TrackingURI, repository: GitRepository, environment: [String: String])
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
  package static func connection(toRecorded stored: String, repository: GitRepository, environment: [String: String])
    throws(RegistrationError) -> (uri: TrackingURI, environment: [String: String])
  {
    do {
      let uri = try TrackingURI(parsing: stored, relativeTo: "/", settingName: "a recorded tracking URI")
      return connection(to: uri, repository: repository, environment: environment)
    } catch {
      throw RegistrationError(.store(error))
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
  package static func openStore(_ uri: TrackingURI, options: RegistrationSettings, repository: GitRepository)
    async throws(RegistrationError) -> any TrackingStore
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
        throw RegistrationError(.store(error))
      }
    case .server(let url):
      do {
        return try RESTTrackingStore(
          serverURL: url, environment: options.environment ?? ProcessInfo.processInfo.environment)
      } catch {
        throw RegistrationError(.store(error))
      }
    case .fileStore(let path):
      throw RegistrationError(
        .store(
          MLflowStoreError(
            code: .invalidConfiguration,
            message: "the tracking URI is MLflow's file store at \(path), which MLflow 3.13+ keeps in maintenance "
              + "mode; migrate it (`mlflow migrate-filestore`) or set MLFLOW_TRACKING_URI=sqlite:///mlflow.db")))
    }
  }

  /// mlflow-git's state folder in the repository's Git common directory (shared by worktrees).
  package static func stateDirectory(of repository: GitRepository) -> String {
    StateFolder(commonDirectory: repository.commonDirectory).path
  }

  /// Creates the state folder `stateDirectory` (`<git common dir>/mlflow-git`) and, when given,
  /// its subfolder `name`, never their parents: a background worker whose repository was
  /// removed meanwhile fails instead of making its Git directory anew.
  package static func createStateDirectory(_ stateDirectory: String, subfolder name: String? = nil) throws(LocalFileError) {
    try PrivateFiles.createDirectory(stateDirectory, creatingParents: false)
    if let name { try PrivateFiles.createDirectory(stateDirectory + "/" + name, creatingParents: false) }
  }

  /// Which experiment the environment selects, without asking the store: by name, by ID, or
  /// the default.
  package static func experimentKey(_ environment: [String: String]) -> String {
    if let name = environment[ExperimentSelection.nameVariable] { return "name:" + name }
    if let id = environment[ExperimentSelection.idVariable], !id.isEmpty { return "id:" + id }
    return "id:" + Experiment.defaultExperimentID
  }
}
