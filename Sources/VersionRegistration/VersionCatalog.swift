package import GitState
package import MLflowStore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One version of a repository, as `mlflow-git versions` lists it.
package struct VersionListing: Sendable, Hashable {
  package var modelID: String
  package var name: String
  package var branch: String
  package var commit: String
  package var isDirty: Bool
  package var status: LoggedModelStatus
  /// Milliseconds since the Unix epoch.
  package var creationTimestamp: Int64
  /// Traces linked to the version (counted up to 1,000).
  package var traceCount: Int
  /// `false` for a version that has its model ID but is not in the store yet (see
  /// ``UndeliveredVersion``); its ``status`` is then `.unspecified`.
  package var isDelivered = true
  /// `true` when the undelivered version's ID is provisional (a tracking server's model gets
  /// its own ID at delivery).
  package var isProvisional = false
}

/// Lists a repository's versions from the store: the models whose `mlflow.source.git.repoURL`
/// is this repository's remote URL (or, without a remote, those registered from this clone's
/// index), newest first.
package enum VersionCatalog {
  /// The versions, newest first.
  package static func list(_ opened: RepositoryStore, remoteName: String = "origin", limit: Int = 200)
    async throws(RegistrationError) -> [VersionListing]
  {
    let repoURL: String?
    do {
      repoURL = try opened.repository.remoteURL(named: remoteName)?.withoutCredentials
    } catch {
      throw RegistrationError(.git(error))
    }
    var models: [LoggedModel] = []
    do {
      if let repoURL {
        var search = LoggedModelSearch(
          experimentIDs: [opened.experiment.experimentID], tags: [VersionTagKey.repoURL: repoURL], maxResults: 100)
        while models.count < limit {
          let page = try await opened.store.searchLoggedModels(search)
          models += page.models
          guard let token = page.nextPageToken else { break }
          search.pageToken = token
        }
      } else {
        let index = VersionIndex(stateDirectory: Registration.stateDirectory(of: opened.repository))
        for entry in index.entries().reversed() where entry.key.store == opened.trackingURI.description {
          if let model = try? await opened.store.loggedModel(id: entry.modelID) { models.append(model) }
          if models.count >= limit { break }
        }
      }
    } catch {
      throw RegistrationError(.store(error))
    }
    var listings: [VersionListing] = []
    for model in models.prefix(limit) {
      guard let branch = model.tags[VersionTagKey.branch], let commit = model.tags[VersionTagKey.commit] else { continue }
      let traces: Int
      do {
        traces = try await traceCount(of: model, in: opened.store)
      } catch {
        throw RegistrationError(.store(error))
      }
      listings.append(
        VersionListing(
          modelID: model.modelID, name: model.name, branch: branch, commit: commit,
          isDirty: model.tags[VersionTagKey.dirty] == "true", status: model.status,
          creationTimestamp: model.creationTimestamp, traceCount: traces))
    }
    return listings.sorted { ($0.creationTimestamp, $1.modelID) > ($1.creationTimestamp, $0.modelID) }
  }

  /// The undelivered versions of the store `options` selects for `repository`'s worktree,
  /// newest first (none when the store cannot be named).
  package static func undelivered(in repository: GitRepository, options: RegistrationSettings) -> [VersionListing] {
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    guard let trackingURI = try? Registration.trackingURI(of: repository, environment: environment) else { return [] }
    return UndeliveredVersion.all(in: repository, trackingURI: trackingURI.description).reversed().map { version in
      VersionListing(
        modelID: version.modelID, name: version.name, branch: version.branch, commit: version.commit,
        isDirty: version.isDirty, status: .unspecified, creationTimestamp: version.creationTimestamp, traceCount: 0,
        isDelivered: false, isProvisional: version.isProvisional)
    }
  }

  static func traceCount(of model: LoggedModel, in store: any TrackingStore) async throws(MLflowStoreError) -> Int {
    var count = 0
    var token: String?
    repeat {
      let page = try await store.searchTraces(
        experimentIDs: [model.experimentID], modelID: model.modelID, maxResults: 500, pageToken: token)
      count += page.traces.count
      token = page.nextPageToken
    } while token != nil && count < 1000
    return count
  }
}
