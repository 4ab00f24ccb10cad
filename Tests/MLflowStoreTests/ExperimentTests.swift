import Foundation
import MLflowStore
import Testing
import TestSupport

@Suite("Experiments and their selection")
struct ExperimentTests {
  @Test("Opening a store adds the Default experiment as MLflow does")
  func defaultExperiment() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let experiment = try await store.experiment(id: "0")
    #expect(experiment.name == "Default")
    #expect(experiment.artifactLocation == directory.appending("mlruns/0"))
    #expect(experiment.lifecycleStage == .active)
    let row = try RawDatabase(store.databasePath).rows("SELECT workspace FROM experiments WHERE experiment_id = 0")
    #expect(row.first?["workspace"] as? String == "default")
  }

  @Test("Created experiments get the next ID and <artifact root>/<id>; names are unique")
  func create() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let created = try await store.createExperiment(named: "agents")
    #expect(created.experimentID == "1")
    #expect(created.artifactLocation == directory.appending("mlruns/1"))
    #expect(try await store.experiment(named: "agents") == created)
    #expect(try await store.experiment(named: "nope") == nil)
    let duplicate = await #expect(throws: MLflowStoreError.self) { try await store.createExperiment(named: "agents") }
    #expect(duplicate?.code == .alreadyExists)
    let missing = await #expect(throws: MLflowStoreError.self) { try await store.experiment(id: "7") }
    #expect(missing?.code == .experimentNotFound)
  }

  @Test("MLFLOW_EXPERIMENT_NAME selects, or creates, the experiment; MLFLOW_EXPERIMENT_ID must exist")
  func selection() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    #expect(try await ExperimentSelection.resolve(in: store, environment: [:]).experimentID == "0")
    let created = try await ExperimentSelection.resolve(in: store, environment: ["MLFLOW_EXPERIMENT_NAME": "new one"])
    #expect(created.name == "new one" && created.experimentID == "1")
    let again = try await ExperimentSelection.resolve(
      in: store, environment: ["MLFLOW_EXPERIMENT_NAME": "new one", "MLFLOW_EXPERIMENT_ID": "1"])
    #expect(again == created)
    #expect(try await ExperimentSelection.resolve(in: store, environment: ["MLFLOW_EXPERIMENT_ID": "1"]) == created)
    #expect(try await ExperimentSelection.resolve(in: store, environment: ["MLFLOW_EXPERIMENT_ID": ""]).experimentID == "0")

    let conflict = await #expect(throws: MLflowStoreError.self) {
      try await ExperimentSelection.resolve(
        in: store, environment: ["MLFLOW_EXPERIMENT_NAME": "new one", "MLFLOW_EXPERIMENT_ID": "0"])
    }
    #expect(conflict?.code == .invalidConfiguration)
    #expect(conflict?.message.contains("MLFLOW_EXPERIMENT_ID is '0'") == true)
    #expect(conflict?.message.contains("MLFLOW_EXPERIMENT_NAME 'new one'") == true)
    for id in ["99", "abc"] {
      let missing = await #expect(throws: MLflowStoreError.self) {
        try await ExperimentSelection.resolve(in: store, environment: ["MLFLOW_EXPERIMENT_ID": id])
      }
      #expect(missing?.code == .invalidConfiguration)
      #expect(missing?.message.contains("MLFLOW_EXPERIMENT_ID is '\(id)'") == true)
    }
    let empty = await #expect(throws: MLflowStoreError.self) {
      try await ExperimentSelection.resolve(in: store, environment: ["MLFLOW_EXPERIMENT_NAME": ""])
    }
    #expect(empty?.message.contains("MLFLOW_EXPERIMENT_NAME") == true)
  }

  @Test("Models and traces cannot be added to a deleted experiment")
  func deletedExperiment() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let experiment = try await store.createExperiment(named: "old")
    try RawDatabase(store.databasePath).execute(
      "UPDATE experiments SET lifecycle_stage = 'deleted' WHERE experiment_id = \(experiment.experimentID)")
    #expect(try await ExperimentSelection.resolve(in: store, environment: ["MLFLOW_EXPERIMENT_NAME": "old"]).lifecycleStage == .deleted)
    let refused = await #expect(throws: MLflowStoreError.self) {
      try await store.createLoggedModel(experimentID: experiment.experimentID, name: "m", tags: [:])
    }
    #expect(refused?.code == .invalidState)
  }
}
