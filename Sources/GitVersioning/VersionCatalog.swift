import GitState
import MLflowStore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One version of a repository, as `mlflow-git versions` lists it.
public struct VersionListing: Sendable, Hashable {
  public var modelID: String
  public var name: String
  public var branch: String
  public var commit: String
  public var isDirty: Bool
  public var status: LoggedModelStatus
  /// Milliseconds since the Unix epoch.
  public var creationTimestamp: Int64
  /// Traces linked to the version (counted up to 1,000).
  public var traceCount: Int
  /// `false` for a version that has its model ID but is not in the store yet (see
  /// ``UndeliveredVersion``); its ``status`` is then `.unspecified`.
  public var isDelivered = true
  /// `true` when the undelivered version's ID is provisional (a tracking server's model gets
  /// its own ID at delivery).
  public var isProvisional = false
}

/// Lists a repository's versions from the store: the models whose `mlflow.source.git.repoURL`
/// is this repository's remote URL (or, without a remote, those registered from this clone's
/// index), newest first.
public enum VersionCatalog {
  /// The versions, newest first.
  public static func list(_ opened: RepositoryStore, remoteName: String = "origin", limit: Int = 200)
    async throws(GitVersioningError) -> [VersionListing]
  {
    let repoURL: String?
    do {
      repoURL = try opened.repository.remoteURL(named: remoteName)?.withoutCredentials
    } catch {
      throw GitVersioningError(.git(error))
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
        let index = VersionIndex(stateDirectory: VersionResolution.stateDirectory(of: opened.repository))
        for entry in index.entries().reversed() where entry.key.store == opened.trackingURI.description {
          if let model = try? await opened.store.loggedModel(id: entry.modelID) { models.append(model) }
          if models.count >= limit { break }
        }
      }
    } catch {
      throw GitVersioningError(.store(error))
    }
    var listings: [VersionListing] = []
    for model in models.prefix(limit) {
      guard let branch = model.tags[VersionTagKey.branch], let commit = model.tags[VersionTagKey.commit] else { continue }
      let traces: Int
      do {
        traces = try await traceCount(of: model, in: opened.store)
      } catch {
        throw GitVersioningError(.store(error))
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
  public static func undelivered(in repository: GitRepository, options: GitVersioningOptions) -> [VersionListing] {
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    guard let trackingURI = try? VersionResolution.trackingURI(of: repository, environment: environment) else { return [] }
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
