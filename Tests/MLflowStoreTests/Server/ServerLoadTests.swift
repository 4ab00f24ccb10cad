import Foundation
import MLflowServerStore
import MLflowStore
import Testing
import TestSupport

/// Many writers registering versions through one `mlflow server` at once.
@Suite("REST store under load")
struct ServerLoadTests {
  @Test("32 concurrent writers register 1,000 versions by search-then-create: each exactly once, none lost")
  func concurrentRegistration() async throws {
    let server = try await MLflowServer.postgres.value
    let store = try RESTTrackingStore(serverURL: server.url, configuration: StoreBackend.testConfiguration)
    let experiment = try await store.createExperiment(named: "load-" + UUID().uuidString).experimentID
    let writers = 32
    let versions = (0..<1000).map { index -> [String: String] in
      [
        "mlflow.source.git.repoURL": "https://git.example.com/acme/repo-\(index % 10).git",
        "mlflow.source.git.branch": "feature/\(index % 37)",
        "mlflow.source.git.commit": String(format: "%040x", index * 7919 + 1),
        "mlflow.source.git.dirty": index % 3 == 0 ? "true" : "false",
      ]
    }
    let start = ContinuousClock.now
    let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
      for writer in 0..<writers {
        group.addTask {
          var latencies: [Duration] = []
          for tags in stride(from: writer, to: versions.count, by: writers).map({ versions[$0] }) {
            let begin = ContinuousClock.now
            let found = try await store.searchLoggedModels(
              LoggedModelSearch(experimentIDs: [experiment], tags: tags, selectiveTagKey: "mlflow.source.git.commit", maxResults: 1))
            if found.models.isEmpty {
              _ = try await store.createLoggedModel(experimentID: experiment, name: nil, tags: tags)
            }
            latencies.append(ContinuousClock.now - begin)
          }
          return latencies
        }
      }
      return try await group.reduce(into: []) { $0 += $1 }.sorted()
    }
    let elapsed = ContinuousClock.now - start
    let p50 = latencies[latencies.count / 2]
    let p99 = latencies[latencies.count * 99 / 100]
    print("load: \(versions.count) versions by \(writers) writers in \(elapsed): p50 \(p50), p99 \(p99)")

    var registered: [LoggedModel] = []
    var search = LoggedModelSearch(experimentIDs: [experiment], maxResults: 500)
    repeat {
      let page = try await store.searchLoggedModels(search)
      registered += page.models
      search.pageToken = page.nextPageToken
    } while search.pageToken != nil
    #expect(registered.count == versions.count)
    #expect(Set(registered.map(\.tags)) == Set(versions), "every version present exactly once")
    #expect(latencies.count == versions.count)
  }
}
