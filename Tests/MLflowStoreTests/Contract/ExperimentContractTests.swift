import Foundation
import MLflowStore
import Testing

/// What every ``TrackingStore`` does with experiments, checked on each backend.
@Suite("Experiments: the store contract")
struct ExperimentContractTests {
  @Test("Created experiments can be found by ID and name; names are unique", arguments: StoreBackend.allCases)
  func create(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    let store = fixture.store
    let name = "agents-" + UUID().uuidString
    let created = try await store.createExperiment(named: name)
    #expect(created.name == name && created.lifecycleStage == .active)
    #expect(created.artifactLocation.hasSuffix("/" + created.experimentID))
    #expect(try await store.experiment(named: name) == created)
    #expect(try await store.experiment(id: created.experimentID) == created)
    #expect(try await store.experiment(named: "nope-" + UUID().uuidString) == nil)
    let duplicate = await #expect(throws: MLflowStoreError.self) { try await store.createExperiment(named: name) }
    #expect(duplicate?.code == .alreadyExists)
    let empty = await #expect(throws: MLflowStoreError.self) { try await store.createExperiment(named: "") }
    #expect(empty?.code == .invalidArgument)
    let missing = await #expect(throws: MLflowStoreError.self) { try await store.experiment(id: "987654321") }
    #expect(missing?.code == .experimentNotFound)
    #expect(try await store.experiment(id: "0").name == "Default")
  }

  @Test("MLFLOW_EXPERIMENT_NAME selects or creates the experiment, as in Python", arguments: StoreBackend.allCases)
  func selection(_ backend: StoreBackend) async throws {
    let fixture = try await backend.fixture()
    let name = "selected-" + UUID().uuidString
    let created = try await ExperimentSelection.resolve(in: fixture.store, environment: ["MLFLOW_EXPERIMENT_NAME": name])
    #expect(created.name == name)
    let again = try await ExperimentSelection.resolve(
      in: fixture.store, environment: ["MLFLOW_EXPERIMENT_NAME": name, "MLFLOW_EXPERIMENT_ID": created.experimentID])
    #expect(again == created)
    let byID = try await ExperimentSelection.resolve(
      in: fixture.store, environment: ["MLFLOW_EXPERIMENT_ID": fixture.experimentID])
    #expect(byID.experimentID == fixture.experimentID)
    for id in ["987654321", "abc"] {
      let missing = await #expect(throws: MLflowStoreError.self) {
        try await ExperimentSelection.resolve(in: fixture.store, environment: ["MLFLOW_EXPERIMENT_ID": id])
      }
      #expect(missing?.code == .invalidConfiguration)
    }
  }
}
