import GitState
import LocalFiles
import MLflowStore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Puts undelivered versions into their stores once the stores are there: exactly once, under
/// the registration lock, each record removed only after its model exists.
///
/// - Embedded store: the model is created in `mlflow.db` under the version's ID, READY, with
///   its recorded tags, name and creation time. When `mlflow.db` already has another model of
///   the same state (Python's `enable_git_model_versioning()` ran first, say), ours is still
///   created with its own ID: that ID was handed out (active model, `MLFLOW_ACTIVE_MODEL_ID` of
///   child processes, traces) and is never taken back; neither model is deleted. A model of the
///   state that mlflow-git created and a killed registration left behind unused is deleted
///   (see ``VersionRegistry/create(_:id:tags:creationTimestamp:)``).
/// - Tracking server: the model of the state is found or created as any registration does
///   (oldest wins), and provisional → final is recorded in ``ModelIDMapping``; the index then
///   gives the final ID.
///
/// A delivery killed at any point is repeated by the next one: the embedded store returns the
/// model already created under the ID, a server's model is found by its tags.
enum UndeliveredDelivery {
  /// What a delivery did.
  struct Outcome: Sendable {
    /// Versions now in their store.
    var delivered = 0
    /// Of those, the ones whose model this delivery created.
    var created = 0
    /// Versions still undelivered (of every store of the repository).
    var remaining = 0
    /// Why versions remain, when a store could not be used.
    var problem: RegistrationError?
  }

  /// Delivers the undelivered versions of `repository` whose stores can be opened now.
  ///
  /// - Parameters:
  ///   - repository: Any worktree of the repository.
  ///   - options: How to open the stores (environment, `mlflow` executable) and tag diffs.
  ///   - only: Deliver only the versions of this tracking URI.
  ///   - skipping: Tracking URIs not to try now (found absent moments ago).
  static func deliver(
    in repository: GitRepository, options: RegistrationSettings, only: String? = nil, skipping: Set<String> = []
  ) async -> Outcome {
    let directory = Registration.stateDirectory(of: repository)
    let folder = UndeliveredVersions(stateDirectory: directory)
    var outcome = Outcome()
    let waiting = Set(folder.all().map(\.trackingURI)).filter { (only == nil || $0 == only) && !skipping.contains($0) }
    guard !waiting.isEmpty else {
      outcome.remaining = folder.modelIDs().count
      return outcome
    }
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    // Opening may create mlflow.db (seconds of `mlflow db upgrade`): done before taking the lock.
    var stores: [(uri: String, store: any TrackingStore)] = []
    for uri in waiting.sorted() {
      do throws(RegistrationError) {
        let connection = try Registration.connection(toRecorded: uri, repository: repository, environment: environment)
        var connecting = options
        connecting.environment = connection.environment
        stores.append((uri, try await Registration.openStore(connection.uri, options: connecting, repository: repository)))
      } catch {
        outcome.problem = error
      }
    }
    // The registration lock is taken for one version at a time, as a worker takes it (see
    // ``Registrar``), so an app start waiting for it never waits for a whole delivery.
    for (uri, store) in stores {
      for record in folder.all() where record.trackingURI == uri {
        do throws(RegistrationError) {
          guard let lock = try await Registrar.lock(directory, waitingAtMost: nil) else { break }
          defer { lock.release() }
          // Read again under the lock: another process may have delivered it meanwhile.
          guard let current = folder.find(record.modelID) else { continue }
          let done = try await deliverLocked(
            [current], to: store, repository: repository, options: options, environment: environment)
          outcome.delivered += done.delivered
          outcome.created += done.created
        } catch {
          outcome.problem = error
          break
        }
      }
    }
    outcome.remaining = folder.modelIDs().count
    return outcome
  }

  /// Delivers `records`, all of `store`, oldest first; stops at the first failure. Call with
  /// the registration lock held.
  static func deliverLocked(
    _ records: [UndeliveredVersion], to store: any TrackingStore, repository: GitRepository,
    options: RegistrationSettings, environment: [String: String]
  ) async throws(RegistrationError) -> (delivered: Int, created: Int) {
    let directory = Registration.stateDirectory(of: repository)
    let folder = UndeliveredVersions(stateDirectory: directory)
    let index = VersionIndex(stateDirectory: directory)
    var experiments: [String: Experiment] = [:]
    var delivered = 0
    var created = 0
    for record in records {
      let final: String
      let experimentID: String
      do throws(MLflowStoreError) {
        let experiment: Experiment
        if let known = experiments[record.experimentKey] {
          experiment = known
        } else {
          experiment = try await ExperimentSelection.resolve(
            in: store, environment: selecting(record.experimentKey, in: environment))
          experiments[record.experimentKey] = experiment
        }
        experimentID = experiment.experimentID
        let tagging = VersionTagging(
          policy: record.dirtyVersions, diffTagLimit: options.maxDiffTagBytes,
          sourceName: record.tags[VersionTagKey.sourceName] ?? SourceMetadata.programName(),
          user: record.tags[VersionTagKey.user])
        let registry = VersionRegistry(store: store, experimentID: experiment.experimentID, tagging: tagging)
        let version = folder.gitVersion(of: record)
        let result: VersionRegistry.Found
        if record.isProvisional {
          result = try await registry.findOrCreate(version, recordedTags: record.tags)
        } else {
          result = try await registry.create(
            version, id: record.modelID, tags: record.tags, creationTimestamp: record.creationTimestamp,
            handedOut: { id in
              index.modelID(for: record.indexKey) == id || journaledTraces(in: directory, mention: id)
            })
        }
        final = result.model.modelID
        if result.created { created += 1 }
        if let duplicate = result.undeletedDuplicate {
          try? DuplicateModels(stateDirectory: directory).record(duplicate, store: record.trackingURI)
        }
      } catch {
        throw RegistrationError(.store(error))
      }
      do {
        // The mapping before the record's removal: ``ModelIDMapping/status(of:stateDirectory:)``
        // relies on it, so a provisional ID never looks final to a reader in between.
        if record.isProvisional {
          try ModelIDMapping.record(
            provisional: record.modelID, final: final, store: record.trackingURI, stateDirectory: directory)
        }
        let indexed = index.modelID(for: record.indexKey)
        if indexed == nil || (indexed == record.modelID && final != record.modelID) {
          try index.record(
            VersionIndex.Entry(
              key: record.indexKey, modelID: final, branch: record.branch, commit: record.commit,
              isDirty: record.isDirty, experimentID: experimentID))
        }
        try folder.remove(record.modelID)
      } catch {
        throw RegistrationError(.localState(error))
      }
      delivered += 1
    }
    return (delivered, created)
  }

  /// `environment` with the experiment variables set to select the experiment `key` names
  /// (`id:…` or `name:…`), whatever the current ones say.
  static func selecting(_ key: String, in environment: [String: String]) -> [String: String] {
    var selected = environment
    selected[ExperimentSelection.nameVariable] = nil
    selected[ExperimentSelection.idVariable] = nil
    if key.hasPrefix("name:") { selected[ExperimentSelection.nameVariable] = String(key.dropFirst("name:".count)) }
    if key.hasPrefix("id:") { selected[ExperimentSelection.idVariable] = String(key.dropFirst("id:".count)) }
    return selected
  }

  /// Whether a file of the trace journal (traces waiting for their store, written with the model
  /// ID their process was given) holds `modelID`'s bytes anywhere: a byte search, so a false
  /// "yes" only keeps a model.
  static func journaledTraces(in stateDirectory: String, mention modelID: String) -> Bool {
    let folder = StateFolder(path: stateDirectory).traces
    guard let paths = try? FileManager.default.subpathsOfDirectory(atPath: folder) else { return false }
    let needle = Array(modelID.utf8)
    return paths.contains { path in
      guard let bytes = FileManager.default.contents(atPath: folder + "/" + path) else { return false }
      return bytes.firstRange(of: needle) != nil
    }
  }
}
