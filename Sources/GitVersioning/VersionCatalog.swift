import GitState
import MLflowStore

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
