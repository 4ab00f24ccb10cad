import Foundation
import MLflowStore
import Testing
import TestSupport

/// Logged models created under an ID the caller chose: how a version whose ID was handed out
/// before `mlflow.db` existed enters it unchanged.
@Suite("Logged models under a chosen ID")
struct ChosenModelIDTests {
  static let modelID = "m-0123456789abcdef0123456789abcdef"
  static let tags = [
    "mlflow.source.git.branch": "main", "mlflow.source.git.commit": String(repeating: "ab", count: 20),
    "mlflow.source.git.dirty": "false", "mlflow.source.git.repoURL": "https://git.example.com/acme/app.git",
    "mlflow.source.name": "mlflow-git", "mlflow.source.type": "LOCAL",
  ]

  @Test("stored with MLflow's rows, READY, and read back by Python MLflow with the same ID, name, time and tags")
  func pythonReadsIt() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let (model, created) = try await store.createLoggedModel(
      id: Self.modelID, experimentID: "0", name: "main-abababa", tags: Self.tags, status: .ready,
      creationTimestamp: 1_700_000_000_000)
    #expect(created)
    #expect(model.modelID == Self.modelID && model.status == .ready && model.creationTimestamp == 1_700_000_000_000)
    #expect(model.artifactLocation == directory.appending("mlruns/0/models/\(Self.modelID)/artifacts"))

    let results = try await ReferenceMLflow.runOracle([
      ["op": "get_logged_model", "model_id": Self.modelID],
      ["op": "search_logged_models", "filter": "tags.`mlflow.source.git.branch` = 'main'"],
      ["op": "create_logged_model", "name": "python-made", "tags": ["k": "v"]],
    ], databasePath: store.databasePath)
    let got = try #require(results[0] as? [String: Any], "\(results[0])")
    #expect(got["model_id"] as? String == Self.modelID)
    #expect(got["experiment_id"] as? String == "0")
    #expect(got["name"] as? String == "main-abababa")
    #expect(got["status"] as? String == "READY")
    #expect(got["artifact_location"] as? String == model.artifactLocation)
    #expect(got["creation_timestamp"] as? Int == 1_700_000_000_000)
    #expect(got["tags"] as? [String: String] == Self.tags)
    #expect((results[1] as? [[String: Any]])?.compactMap { $0["model_id"] as? String } == [Self.modelID])

    // Every column has the kind of value (or NULL) it has in a row Python MLflow wrote.
    let python = try #require((results[2] as? [String: Any])?["model_id"] as? String)
    let raw = try RawDatabase(store.databasePath)
    let shape = """
      SELECT typeof(model_id) a, typeof(experiment_id) b, typeof(name) c, typeof(artifact_location) d,
             typeof(creation_timestamp_ms) e, typeof(last_updated_timestamp_ms) f, typeof(status) g,
             typeof(lifecycle_stage) h, typeof(model_type) i, typeof(source_run_id) j, typeof(status_message) k,
             lifecycle_stage l
      FROM logged_models WHERE model_id = ?
      """
    #expect(try raw.rows(shape, [Self.modelID]) == (try raw.rows(shape, [python])))
    let tagShape = "SELECT typeof(experiment_id) a, typeof(tag_value) b FROM logged_model_tags WHERE model_id = ? LIMIT 1"
    #expect(try raw.rows(tagShape, [Self.modelID]) == (try raw.rows(tagShape, [python])))
  }

  @Test("creating the same ID again returns the stored model unchanged: a repeated delivery adds nothing")
  func idempotent() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let first = try await store.createLoggedModel(id: Self.modelID, experimentID: "0", name: "main-abababa", tags: Self.tags)
    let second = try await store.createLoggedModel(
      id: Self.modelID, experimentID: "0", name: "other", tags: ["x": "y"], status: .ready)
    #expect(first.created && !second.created)
    #expect(second.model == first.model)
    let raw = try RawDatabase(store.databasePath)
    #expect(try raw.count("logged_models") == 1)
    #expect(try raw.count("logged_model_tags") == Self.tags.count)
  }

  @Test("an ID of another experiment's model, a malformed ID, or a finished status is refused and nothing is written")
  func refused() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    _ = try await store.createLoggedModel(id: Self.modelID, experimentID: "0", name: "main-abababa", tags: [:])
    let other = try await store.createExperiment(named: "other")
    let conflict = await #expect(throws: MLflowStoreError.self) {
      _ = try await store.createLoggedModel(id: Self.modelID, experimentID: other.experimentID, name: "x", tags: [:])
    }
    #expect(conflict?.code == .alreadyExists)
    #expect(conflict?.message.contains("experiment '0'") == true)
    for bad in ["m-0123", "m-0123456789ABCDEF0123456789ABCDEF", "x-0123456789abcdef0123456789abcdef"] {
      let malformed = await #expect(throws: MLflowStoreError.self) {
        _ = try await store.createLoggedModel(id: bad, experimentID: "0", name: "x", tags: [:])
      }
      #expect(malformed?.code == .invalidArgument)
    }
    await #expect(throws: MLflowStoreError.self) {
      _ = try await store.createLoggedModel(
        id: "m-ffffffffffffffffffffffffffffffff", experimentID: "0", name: "x", tags: [:], status: .failed)
    }
    #expect(try RawDatabase(store.databasePath).count("logged_models") == 1)
  }
}
