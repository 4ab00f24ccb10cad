import Foundation
import MLflowStore
import Testing
import TestSupport

/// Creating a missing database with `mlflow db upgrade`: once, privately, atomically.
@Suite("Creating a missing database")
struct BootstrapTests {
  @Test("Eight concurrent callers create the database exactly once, and Python reads it")
  func concurrentCreation() async throws {
    let directory = try TemporaryDirectory()
    let counter = directory.appending("mlflow-runs.log")
    let mlflow = try await ReferenceMLflow.mlflowExecutable()
    let wrapper = try script(in: directory, named: "counting-mlflow", """
      #!/bin/sh
      echo "$$" >> '\(counter)'
      exec '\(mlflow)' "$@"
      """)
    let path = directory.appending("data dir%/mlflow.db")
    let options = SQLiteTrackingStore.Options(mlflowExecutable: wrapper, environment: ReferenceMLflow.environment())
    let models = try await withThrowingTaskGroup(of: String.self) { group in
      for index in 0..<8 {
        group.addTask {
          let store = try await SQLiteTrackingStore.open(databasePath: path, options: options)
          return try await store.createLoggedModel(experimentID: "0", name: "caller\(index)", tags: ["caller": "\(index)"]).modelID
        }
      }
      return try await group.reduce(into: Set<String>()) { $0.insert($1) }
    }
    #expect(models.count == 8)
    let runs = try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n")
    #expect(runs.count == 1, "mlflow db upgrade ran \(runs.count) times")
    #expect(try permissions(of: path) == 0o600)
    #expect(try permissions(of: path + ".lock") == 0o600)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appending("data dir%")).sorted()
      == ["mlflow.db", "mlflow.db.lock"])
    let experiment = try RawDatabase(path).rows("SELECT name, artifact_location, lifecycle_stage FROM experiments")
    #expect(experiment.count == 1)
    #expect(experiment.first?["artifact_location"] as? String == directory.appending("data dir%/mlruns/0"))

    let results = try await ReferenceMLflow.runOracle([["op": "search_logged_models"]], databasePath: path)
    #expect(Set((results[0] as? [[String: Any]])?.compactMap { $0["model_id"] as? String } ?? []) == models)
  }

  @Test("Without an mlflow executable the distinct storeNotCreated error comes, and nothing is written")
  func noExecutable() async throws {
    let directory = try TemporaryDirectory()
    let path = directory.appending("mlflow.db")
    let mlflow = try await ReferenceMLflow.mlflowExecutable()
    let error = #expect(throws: MLflowStoreError.self) {
      try SQLiteTrackingStore(databasePath: path, options: .init(environment: ["PATH": directory.path]))
    }
    #expect(error?.code == .storeNotCreated)
    #expect(error?.message.contains("MLFLOW_GIT_MLFLOW_EXECUTABLE") == true)
    let configured = #expect(throws: MLflowStoreError.self) {
      try SQLiteTrackingStore(
        databasePath: path, options: .init(environment: ["MLFLOW_GIT_MLFLOW_EXECUTABLE": "/no/such/mlflow"]))
    }
    #expect(configured?.code == .storeNotCreated)
    #expect(configured?.message.contains("MLFLOW_GIT_MLFLOW_EXECUTABLE is '/no/such/mlflow'") == true)
    let notCreating = #expect(throws: MLflowStoreError.self) {
      try SQLiteTrackingStore(
        databasePath: path, options: .init(createIfMissing: false, mlflowExecutable: mlflow))
    }
    #expect(notCreating?.code == .storeNotCreated)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }

  @Test("A failing mlflow db upgrade reports its error output and leaves no file behind")
  func failingUpgrade() throws {
    let directory = try TemporaryDirectory()
    let failing = try script(in: directory, named: "failing-mlflow", """
      #!/bin/sh
      echo "alembic exploded" >&2
      exit 3
      """)
    let path = directory.appending("db/mlflow.db")
    let error = #expect(throws: MLflowStoreError.self) {
      try SQLiteTrackingStore(databasePath: path, options: .init(mlflowExecutable: failing))
    }
    #expect(error?.code == .storeCreationFailed)
    #expect(error?.message.contains("alembic exploded") == true)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appending("db")) == ["mlflow.db.lock"])
  }

  private func script(in directory: TemporaryDirectory, named name: String, _ text: String) throws -> String {
    let path = directory.appending(name)
    try writeExecutableFile(text, to: path)  // never open for writing in this process: no "Text file busy"
    return path
  }

  private func permissions(of path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
  }
}
