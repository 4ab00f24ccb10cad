import Foundation
import GitState
import MLflowStore
import RepositoryFixtures
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration

/// The check of an indexed model against `mlflow.db` is skipped while the database is in the
/// state an earlier check saw, and made again after any write to it: by Python MLflow, a copy
/// put in its place, a database in WAL mode or a damaged record never skip it.
@Suite("Store checks skipped while mlflow.db is unchanged")
struct StoreCheckTests {
  /// Resolves the current version, checking the indexed model before returning (as `status`).
  static func verify(_ fixture: VersioningFixture) async throws -> VersionResolution {
    try await VersionResolution.resolve(options: fixture.options(verification: .beforeReturning))
  }

  /// The repository's record of checks.
  static func record(_ fixture: VersioningFixture) throws -> StoreCheckRecord {
    let repository = try GitRepository.discover(from: fixture.repo, environment: fixture.environment)
    return StoreCheckRecord(stateDirectory: Registration.stateDirectory(of: repository))
  }

  /// Registers the clean version, then checks it once (a real check, which is recorded).
  static func registeredAndChecked(_ fixture: VersioningFixture) async throws -> VersionResolution {
    let registered = try await fixture.resolve()
    #expect(registered.storeCheck == .made, "registering asks the store")
    let checked = try await verify(fixture)
    #expect(checked.storeCheck == .made)
    #expect(checked.modelID == registered.modelID)
    return checked
  }

  @Test("a second check of an unchanged mlflow.db is skipped; the record is one private line")
  func unchangedSkipped() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let registered = try await fixture.resolve()
    #expect(registered.storeCheck == .made)
    #expect(try await fixture.resolve().storeCheck == .notMade, "the index answers; no check asked")
    let first = try await Self.verify(fixture)
    #expect(first.storeCheck == .made)
    let second = try await Self.verify(fixture)
    #expect(second.storeCheck == .storeUnchanged)
    #expect(second.modelID == registered.modelID)
    #expect(second.foundInIndex)
    #expect(second.experimentID == "0")

    let record = try Self.record(fixture)
    let stamp = try #require(SQLiteChangeStamp.read(databasePath: fixture.databasePath))
    #expect(
      record.entries() == [
        .init(databasePath: fixture.databasePath, stamp: stamp, modelID: registered.modelID, experimentID: "0")
      ])
    let attributes = try FileManager.default.attributesOfItem(atPath: record.path)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
  }

  @Test("after Python MLflow deletes the model, the check is made and heals; the healed model is checked anew")
  func deletedByPython() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let original = try await Self.registeredAndChecked(fixture)
    #expect(try await Self.verify(fixture).storeCheck == .storeUnchanged)

    _ = try await fixture.python(
      "from mlflow import MlflowClient\nMlflowClient().delete_logged_model(\(pythonLiteral(original.modelID)))\n"
        + "print(json.dumps([True]))")
    let healed = try await Self.verify(fixture)
    #expect(healed.storeCheck == .made)
    #expect(healed.modelID != original.modelID)
    #expect(
      !(try Self.record(fixture).entries().contains { $0.modelID == healed.modelID }),
      "the call that healed records nothing")
    let seen = try await fixture.python(
      "from mlflow import MlflowClient\nprint(json.dumps([MlflowClient().get_logged_model(\(pythonLiteral(healed.modelID))).model_id]))")
    #expect(seen as? [String] == [healed.modelID])

    let checked = try await Self.verify(fixture)
    #expect(checked.storeCheck == .made, "the healed model was never checked in this state")
    #expect(checked.modelID == healed.modelID)
    let skipped = try await Self.verify(fixture)
    #expect(skipped.storeCheck == .storeUnchanged)
    #expect(skipped.modelID == healed.modelID)
  }

  @Test("an unrelated write (Python creates another model) makes the next check real, the one after is skipped")
  func unrelatedWrite() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let original = try await Self.registeredAndChecked(fixture)
    #expect(try await Self.verify(fixture).storeCheck == .storeUnchanged)

    _ = try await fixture.python(
      "from mlflow import MlflowClient\nprint(json.dumps([MlflowClient().create_logged_model(\"0\", name=\"other\").model_id]))")
    let afterWrite = try await Self.verify(fixture)
    #expect(afterWrite.storeCheck == .made)
    #expect(afterWrite.modelID == original.modelID)
    let next = try await Self.verify(fixture)
    #expect(next.storeCheck == .storeUnchanged)
    #expect(next.modelID == original.modelID)
    #expect(try Self.record(fixture).entries().count == 1, "the database's earlier state is dropped")
  }

  @Test("a copy of mlflow.db moved over it (a new inode, the same content) makes the next check real")
  func replacedByCopy() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let original = try await Self.registeredAndChecked(fixture)
    #expect(try await Self.verify(fixture).storeCheck == .storeUnchanged)

    let copy = fixture.scratch.root + "/mlflow.db.copy"
    try FileManager.default.copyItem(atPath: fixture.databasePath, toPath: copy)
    #expect(rename(copy, fixture.databasePath) == 0)
    let afterCopy = try await Self.verify(fixture)
    #expect(afterCopy.storeCheck == .made)
    #expect(afterCopy.modelID == original.modelID)
    #expect(try await Self.verify(fixture).storeCheck == .storeUnchanged)
  }

  @Test("a database in WAL mode is checked every time")
  func walMode() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let original = try await Self.registeredAndChecked(fixture)
    _ = try await fixture.python(
      "import sqlite3\nconnection = sqlite3.connect(\(pythonLiteral(fixture.databasePath)))\n"
        + "print(json.dumps(connection.execute('PRAGMA journal_mode=WAL').fetchone()))\nconnection.close()")
    for _ in 0..<3 {
      let resolution = try await Self.verify(fixture)
      #expect(resolution.storeCheck == .made)
      #expect(resolution.modelID == original.modelID)
    }
  }

  @Test("a corrupt record is ignored as a whole and replaced by a private one")
  func corruptRecord() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let original = try await Self.registeredAndChecked(fixture)
    let record = try Self.record(fixture)
    let valid = try String(contentsOfFile: record.path, encoding: .utf8)
    #expect(try await Self.verify(fixture).storeCheck == .storeUnchanged)

    try Data((valid + "v1\tnot a check\n").utf8).write(to: URL(fileURLWithPath: record.path))
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: record.path)
    let afterCorruption = try await Self.verify(fixture)
    #expect(afterCorruption.storeCheck == .made, "a valid line in a corrupt record does not vouch")
    #expect(afterCorruption.modelID == original.modelID)
    #expect(try String(contentsOfFile: record.path, encoding: .utf8) == valid)
    let attributes = try FileManager.default.attributesOfItem(atPath: record.path)
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    #expect(try await Self.verify(fixture).storeCheck == .storeUnchanged)
  }

  @Test("a check recorded in the default experiment does not vouch under MLFLOW_EXPERIMENT_ID for another")
  func otherExperiment() async throws {
    var fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let created = try await fixture.python(
      "from mlflow import MlflowClient\nprint(json.dumps([MlflowClient().create_experiment(\"other\")]))")
    let other = try #require((created as? [String])?.first)
    let original = try await Self.registeredAndChecked(fixture)
    #expect(try await Self.verify(fixture).storeCheck == .storeUnchanged)

    // The index names the default experiment's model for the other experiment too (a stale or
    // copied index): the check must find it in the wrong experiment and register anew.
    var key = original.indexKey
    key.experiment = "id:" + other
    try VersionIndex(stateDirectory: Registration.stateDirectory(of: original.repository)).record(
      .init(key: key, modelID: original.modelID, branch: "main", commit: original.version.commit, isDirty: false))
    fixture.environment[ExperimentSelection.idVariable] = other
    let inOther = try await Self.verify(fixture)
    #expect(inOther.storeCheck == .made)
    #expect(inOther.modelID != original.modelID)
    #expect(inOther.experimentID == other)
    #expect(try await fixture.store().loggedModel(id: inOther.modelID).experimentID == other)
  }

  @Test("recording a check drops the same database's other states, skips duplicates, keeps the latest 256")
  func recordBounds() throws {
    let directory = try TemporaryDirectory()
    let record = StoreCheckRecord(stateDirectory: directory.appending("mlflow-git"))
    func check(_ database: String, _ counter: Int, _ modelID: String) throws -> StoreCheckRecord.Entry {
      let stamp = try #require(SQLiteChangeStamp(text: "1 2 3 4 5 \(counter)"))
      return .init(databasePath: database, stamp: stamp, modelID: modelID, experimentID: "0")
    }
    record.record(try check("/a.db", 1, "m-1"))
    record.record(try check("/a.db", 1, "m-2"))
    record.record(try check("/b.db", 7, "m-1"))
    record.record(try check("/a.db", 1, "m-1"))
    #expect(record.entries() == [try check("/a.db", 1, "m-2"), try check("/b.db", 7, "m-1"), try check("/a.db", 1, "m-1")])
    record.record(try check("/a.db", 2, "m-1"))
    #expect(record.entries() == [try check("/b.db", 7, "m-1"), try check("/a.db", 2, "m-1")])
    record.record(try check("/tab\t.db", 1, "m-1"))
    #expect(record.entries().count == 2, "a path a line cannot hold is not recorded")

    for index in 0..<(StoreCheckRecord.limit + 4) { record.record(try check("/c\(index).db", index, "m-\(index)")) }
    let entries = record.entries()
    #expect(entries.count == StoreCheckRecord.limit)
    #expect(entries.first == (try check("/c4.db", 4, "m-4")))
    #expect(entries.last == (try check("/c\(StoreCheckRecord.limit + 3).db", StoreCheckRecord.limit + 3, "m-\(StoreCheckRecord.limit + 3)")))
    #expect((try FileManager.default.attributesOfItem(atPath: record.path)[.posixPermissions] as? Int) == 0o600)
    #expect(
      (try FileManager.default.attributesOfItem(atPath: directory.appending("mlflow-git"))[.posixPermissions] as? Int)
        == 0o700)
  }
}
