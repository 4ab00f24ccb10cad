import Foundation
import MLflowStore
import Testing

/// What every ``TrackingStore`` does with logged models, checked on each backend.
@Suite("Logged models: the store contract")
struct LoggedModelContractTests {
  let gitTags = [
    "mlflow.source.git.branch": "main",
    "mlflow.source.git.commit": String(repeating: "ab", count: 20),
    "mlflow.source.git.dirty": "false",
    "mlflow.source.git.repoURL": "https://git.example.com/acme/app.git",
  ]

  @Test("A created model has MLflow's ID, location, status, tags and params, and reads back whole", arguments: StoreBackend.allCases)
  func createAndGet(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    let store = fixture.store
    let before = Int64(Date().timeIntervalSince1970 * 1000)
    let model = try await store.createLoggedModel(
      experimentID: fixture.experimentID, name: "main-abababa", tags: gitTags, params: ["temperature": "0.2"],
      modelType: "agent", sourceRunID: nil)
    let after = Int64(Date().timeIntervalSince1970 * 1000)
    #expect(model.modelID.hasPrefix("m-") && model.modelID.count == 34)
    #expect(model.modelID.dropFirst(2).allSatisfy { "0123456789abcdef".contains($0) })
    #expect(model.experimentID == fixture.experimentID && model.name == "main-abababa")
    #expect(model.artifactLocation == (try await fixture.artifactLocation("models/\(model.modelID)/artifacts")))
    #expect(model.status == .pending && model.lifecycleStage == .active)
    #expect(model.creationTimestamp == model.lastUpdatedTimestamp)
    #expect(model.creationTimestamp >= before - 1000 && model.creationTimestamp <= after + 1000, "the server's clock is this machine's")
    let read = try await store.loggedModel(id: model.modelID)
    #expect(read == model)
    #expect(read.tags == gitTags && read.params == ["temperature": "0.2"] && read.modelType == "agent")
  }

  @Test("Without a name the store names the model; MLflow's forbidden characters are refused", arguments: StoreBackend.allCases)
  func names(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    let store = fixture.store
    let model = try await store.createLoggedModel(experimentID: fixture.experimentID, name: nil, tags: [:])
    #expect(!model.name.isEmpty && !model.name.contains(where: { "/:.%\"'".contains($0) }))
    for name in ["", "a/b", "a:b", "v1.2", "50%", "say\"", "it's"] {
      let error = await #expect(throws: MLflowStoreError.self) {
        try await store.createLoggedModel(experimentID: fixture.experimentID, name: name, tags: [:])
      }
      #expect(error?.code == .invalidArgument)
    }
    let missing = await #expect(throws: MLflowStoreError.self) {
      try await store.createLoggedModel(experimentID: "987654321", name: "x", tags: [:])
    }
    #expect(missing?.code == .experimentNotFound)
  }

  @Test("Tag search is exact for every value: quotes, backslashes, unicode, empty", arguments: StoreBackend.allCases)
  func exactTagSearch(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    let store = fixture.store
    let experiment = fixture.experimentID
    let values = ["feat/it's", "it''s", "a\\", "日本語 ü", "", "100%", "main", "Main", "a AND b", "x'"]
    var ids: [String: String] = [:]
    for value in values {
      ids[value] = try await store.createLoggedModel(
        experimentID: experiment, name: "m", tags: ["mlflow.source.git.branch": value, "other": "x"]).modelID
    }
    for value in values {
      let page = try await store.searchLoggedModels(
        LoggedModelSearch(experimentIDs: [experiment], tags: ["mlflow.source.git.branch": value, "other": "x"]))
      #expect(page.models.map(\.modelID) == [ids[value]!], "\(value)")
      for selective in ["mlflow.source.git.branch", "other", "absent"] {
        let driven = try await store.searchLoggedModels(
          LoggedModelSearch(
            experimentIDs: [experiment], tags: ["mlflow.source.git.branch": value, "other": "x"],
            selectiveTagKey: selective, maxResults: 1))
        #expect(driven.models.map(\.modelID) == [ids[value]!], "\(value) from \(selective)")
        #expect(driven.nextPageToken == nil, "\(value) from \(selective)")
      }
    }
    let none = try await store.searchLoggedModels(
      LoggedModelSearch(experimentIDs: [experiment], tags: ["mlflow.source.git.branch": "main", "other": "y"]))
    #expect(none.models.isEmpty)
    #expect(try await store.searchLoggedModels(LoggedModelSearch(experimentIDs: [])).models.isEmpty)
  }

  @Test("Search pages through models newest first, then by ID, like MLflow", arguments: StoreBackend.allCases)
  func pagingAndOrder(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    let store = fixture.store
    let experiment = fixture.experimentID
    var created: [LoggedModel] = []
    for index in 0..<5 {
      created.append(try await store.createLoggedModel(experimentID: experiment, name: "n\(4 - index)", tags: ["k": "v"]))
    }
    let expected = created.sorted {
      ($0.creationTimestamp, $1.modelID) > ($1.creationTimestamp, $0.modelID)
    }.map(\.modelID)
    // A value MLflow's filter cannot express makes the search match on this side; pages stay
    // the same.
    for tags in [["k": "v"], ["k": "v", "q": "it's"]] {
      if tags["q"] != nil {
        for model in created { try await store.setLoggedModelTags(id: model.modelID, tags: ["q": "it's"]) }
      }
      var seen: [String] = []
      var pages = 0
      var search = LoggedModelSearch(experimentIDs: [experiment], tags: tags, maxResults: 2)
      repeat {
        let page = try await store.searchLoggedModels(search)
        #expect(page.models.count <= 2)
        seen += page.models.map(\.modelID)
        pages += 1
        search.pageToken = page.nextPageToken
      } while search.pageToken != nil
      #expect(seen == expected, "\(tags)")
      #expect(pages == 3, "\(tags)")
    }

    let byName = try await store.searchLoggedModels(
      LoggedModelSearch(experimentIDs: [experiment], orderBy: [.init(.name, ascending: true)]))
    #expect(byName.models.map(\.name) == ["n0", "n1", "n2", "n3", "n4"])

    let first = try await store.searchLoggedModels(LoggedModelSearch(experimentIDs: [experiment], maxResults: 1))
    let mismatch = await #expect(throws: MLflowStoreError.self) {
      try await store.searchLoggedModels(
        LoggedModelSearch(experimentIDs: [experiment], tags: ["k": "v"], maxResults: 1, pageToken: first.nextPageToken))
    }
    #expect(mismatch?.code == .invalidArgument)
    let garbage = await #expect(throws: MLflowStoreError.self) {
      try await store.searchLoggedModels(LoggedModelSearch(experimentIDs: [experiment], pageToken: "garbage"))
    }
    #expect(garbage?.code == .invalidArgument)
  }

  @Test("Setting tags upserts; deleting a tag removes it, and a missing tag is an error", arguments: StoreBackend.allCases)
  func tags(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    let store = fixture.store
    let model = try await store.createLoggedModel(experimentID: fixture.experimentID, name: "m", tags: ["a": "1", "b": "2"])
    try await store.setLoggedModelTags(id: model.modelID, tags: ["b": "3", "mlflow.source.git.diff": "diff --git"])
    var read = try await store.loggedModel(id: model.modelID)
    #expect(read.tags == ["a": "1", "b": "3", "mlflow.source.git.diff": "diff --git"])
    #expect(read.lastUpdatedTimestamp == model.lastUpdatedTimestamp)
    try await store.deleteLoggedModelTag(id: model.modelID, key: "a")
    read = try await store.loggedModel(id: model.modelID)
    #expect(read.tags["a"] == nil)
    let missingTag = await #expect(throws: MLflowStoreError.self) {
      try await store.deleteLoggedModelTag(id: model.modelID, key: "a")
    }
    #expect(missingTag?.code == .tagNotFound)
    let missingModel = await #expect(throws: MLflowStoreError.self) {
      try await store.setLoggedModelTags(id: "m-00000000000000000000000000000000", tags: ["a": "1"])
    }
    #expect(missingModel?.code == .modelNotFound)
  }

  @Test("Finalizing sets READY or FAILED; deleting hides the model from get and search", arguments: StoreBackend.allCases)
  func finalizeAndDelete(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    let store = fixture.store
    let model = try await store.createLoggedModel(experimentID: fixture.experimentID, name: "m", tags: ["k": "v"])
    #expect(try await store.finalizeLoggedModel(id: model.modelID, status: .ready).status == .ready)
    #expect(try await store.finalizeLoggedModel(id: model.modelID, status: .failed).status == .failed)
    let invalid = await #expect(throws: MLflowStoreError.self) {
      try await store.finalizeLoggedModel(id: model.modelID, status: .pending)
    }
    #expect(invalid?.code == .invalidArgument)
    try await store.deleteLoggedModel(id: model.modelID)
    let hidden = await #expect(throws: MLflowStoreError.self) { try await store.loggedModel(id: model.modelID) }
    #expect(hidden?.code == .modelNotFound)
    let deleted = try await store.loggedModel(id: model.modelID, includeDeleted: true)
    #expect(deleted.lifecycleStage == .deleted && deleted.status == .failed)
    #expect(try await store.searchLoggedModels(
      LoggedModelSearch(experimentIDs: [fixture.experimentID], tags: ["k": "v"])).models.isEmpty)
  }
}
