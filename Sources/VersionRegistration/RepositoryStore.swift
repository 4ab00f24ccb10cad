package import GitState
package import MLflowStore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A repository and the MLflow tracking store and experiment its versions live in, opened
/// together: what the CLI's `versions`, `show`, `diff` and `traces` read.
///
/// # Usage
/// ```swift
/// let opened = try await RepositoryStore.open(options: RegistrationSettings(directory: appDirectory))
/// let model = try await opened.store.loggedModel(id: modelID)
/// ```
package struct RepositoryStore: Sendable {
  /// The repository.
  package let repository: GitRepository
  /// Where its versions live.
  package let trackingURI: TrackingURI
  /// The opened store.
  package let store: any TrackingStore
  /// The experiment the environment selects.
  package let experiment: Experiment

  /// Finds the repository and opens its store and experiment.
  package static func open(options: RegistrationSettings) async throws(RegistrationError) -> RepositoryStore {
    let repository: GitRepository
    do {
      repository = try GitRepository.discover(from: options.directory, environment: options.environment)
    } catch {
      throw RegistrationError(.git(error))
    }
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    let trackingURI = try Registration.trackingURI(of: repository, environment: environment)
    let store = try await Registration.openStore(trackingURI, options: options, repository: repository)
    do {
      let experiment = try await ExperimentSelection.resolve(in: store, environment: environment)
      return RepositoryStore(repository: repository, trackingURI: trackingURI, store: store, experiment: experiment)
    } catch {
      throw RegistrationError(.store(error))
    }
  }

  /// The complete diff of a dirty version's model: the artifact `git.diff` when the tag was
  /// cut, else the tag. `nil` for a clean version.
  package func completeDiff(of model: LoggedModel) throws(RegistrationError) -> [UInt8]? {
    if model.tags[VersionTagKey.diffArtifact] != nil {
      var directory = model.artifactLocation
      if directory.hasPrefix("file://") { directory = String(directory.dropFirst("file://".count)) }
      let path = directory + "/" + VersionTags.diffArtifactName
      guard let data = FileManager.default.contents(atPath: path) else {
        throw RegistrationError(
          .store(
            MLflowStoreError(
              code: .databaseError,
              message: "the complete diff of \(model.modelID) should be at '\(path)' but cannot be read; "
                + "its tag holds only the first \(model.tags[VersionTagKey.diff]?.utf8.count ?? 0) bytes")))
      }
      return Array(data)
    }
    return model.tags[VersionTagKey.diff].map { Array($0.utf8) }
  }
}
