import ChildProcess
import Foundation
import MLflowStore
import Testing
import TestSupport

/// Damaged, foreign, locked and read-only databases: each gives a clear error or waits as
/// documented, and never leaves half a model or half a trace behind.
@Suite("Faults")
struct FaultTests {
  @Test("A file that is not a database is refused as corrupt and left untouched")
  func garbageFile() throws {
    let directory = try TemporaryDirectory()
    let path = directory.appending("mlflow.db")
    let garbage = Data(String(repeating: "this is not an SQLite file\n", count: 200).utf8)
    try garbage.write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: MLflowStoreError.self) { try SQLiteTrackingStore(databasePath: path) }
    #expect(error?.code == .corruptDatabase)
    #expect(error?.message.contains(path) == true)
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
  }

  @Test("An SQLite database that is not MLflow's, or is empty, is refused")
  func foreignDatabase() throws {
    let directory = try TemporaryDirectory()
    let foreign = directory.appending("notes.db")
    try RawDatabase(foreign, create: true).execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    let error = #expect(throws: MLflowStoreError.self) { try SQLiteTrackingStore(databasePath: foreign) }
    #expect(error?.code == .unsupportedSchema)
    #expect(error?.message.contains("alembic_version") == true)
    let empty = directory.appending("empty.db")
    _ = try? Data().write(to: URL(fileURLWithPath: empty))
    let emptyError = #expect(throws: MLflowStoreError.self) { try SQLiteTrackingStore(databasePath: empty) }
    #expect(emptyError?.code == .unsupportedSchema)
    #expect(try RawDatabase(foreign).rows("SELECT name FROM sqlite_master").count == 1)
  }

  @Test("A newer MLflow's schema (unknown revision, extra tables and columns) is accepted")
  func futureRevision() async throws {
    let directory = try TemporaryDirectory()
    let path = try await MLflowDatabaseTemplate.copy(into: directory)
    try RawDatabase(path).execute("""
      UPDATE alembic_version SET version_num = 'fffffffffff1';
      CREATE TABLE skills (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
      ALTER TABLE logged_models ADD COLUMN owner VARCHAR(64);
      ALTER TABLE spans ADD COLUMN tier INTEGER NOT NULL DEFAULT 0;
      """)
    let store = try SQLiteTrackingStore(databasePath: path)
    let model = try await store.createLoggedModel(experimentID: "0", name: "m", tags: ["k": "v"])
    _ = try await store.logTrace(SampleTrace.make(modelID: model.modelID))
    #expect(try await store.searchLoggedModels(LoggedModelSearch(experimentIDs: ["0"], tags: ["k": "v"])).models == [model])
  }

  @Test("A missing table or column, or a new column needing a value, is refused by name")
  func incompatibleSchema() async throws {
    let directory = try TemporaryDirectory()
    let cases: [(sql: String, named: String)] = [
      ("ALTER TABLE logged_model_tags DROP COLUMN tag_value", "logged_model_tags.tag_value"),
      ("DROP TABLE spans", "'spans'"),
      ("DROP TABLE alembic_version", "alembic_version"),
      ("""
        PRAGMA foreign_keys = OFF;
        CREATE TABLE new_tags ("key" VARCHAR(250) NOT NULL, value VARCHAR(8000), request_id VARCHAR(50) NOT NULL,
          owner TEXT NOT NULL, PRIMARY KEY ("key", request_id));
        DROP TABLE trace_tags;
        ALTER TABLE new_tags RENAME TO trace_tags;
        """, "trace_tags.owner"),
    ]
    for (index, (sql, named)) in cases.enumerated() {
      let path = try await MLflowDatabaseTemplate.copy(into: directory, name: "case\(index).db")
      try RawDatabase(path).execute(sql)
      let error = #expect(throws: MLflowStoreError.self) { try SQLiteTrackingStore(databasePath: path) }
      #expect(error?.code == .unsupportedSchema, "\(named)")
      #expect(error?.message.contains(named) == true, "\(error?.message ?? "")")
    }
  }

  @Test("A read-only database can be searched; writing reports that it is read-only and writes nothing")
  func readOnly() async throws {
    let directory = try TemporaryDirectory()
    let writable = try await MLflowDatabaseTemplate.store(in: directory)
    let model = try await writable.createLoggedModel(experimentID: "0", name: "m", tags: ["k": "v"])
    let path = writable.databasePath
    try makeReadOnly(path)
    defer { try? makeWritable(path) }

    let store = try SQLiteTrackingStore(databasePath: path)
    #expect(try await store.searchLoggedModels(LoggedModelSearch(experimentIDs: ["0"], tags: ["k": "v"])).models == [model])
    let error = await #expect(throws: MLflowStoreError.self) {
      try await store.createLoggedModel(experimentID: "0", name: "n", tags: ["k": "v"])
    }
    #expect(error?.code == .readOnlyDatabase)
    #expect(error?.message.contains("writable") == true)
    try makeWritable(path)
    #expect(try RawDatabase(path).count("logged_models") == 1)
  }

  @Test("A write waits for another connection's 2 s lock and then succeeds")
  func waitsForLock() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let holder = try LockHolder(store.databasePath, for: .seconds(2))
    let started = ContinuousClock.now
    let model = try await store.createLoggedModel(experimentID: "0", name: "m", tags: ["k": "v"])
    let waited = ContinuousClock.now - started
    holder.waitUntilReleased()
    #expect(waited >= .milliseconds(1900), "\(waited)")
    #expect(try await store.loggedModel(id: model.modelID) == model)
  }

  @Test("A write fails clearly once the busy timeout passes, and writes nothing")
  func busyTimeout() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory, options: .init(busyTimeout: .milliseconds(500)))
    let holder = try LockHolder(store.databasePath, for: .seconds(3))
    let started = ContinuousClock.now
    let error = await #expect(throws: MLflowStoreError.self) {
      try await store.createLoggedModel(experimentID: "0", name: "m", tags: ["k": "v"])
    }
    let waited = ContinuousClock.now - started
    holder.waitUntilReleased()
    #expect(error?.code == .databaseBusy)
    #expect(error?.message.contains("busy timeout") == true)
    // Failing (rather than succeeding) shows it gave up before the 3 s lock was released.
    #expect(waited >= .milliseconds(450), "\(waited)")
    let raw = try RawDatabase(store.databasePath)
    #expect(try raw.count("logged_models") == 0 && raw.count("logged_model_tags") == 0)
  }

  @Test("A failure in the middle of a write leaves no half-written model or trace")
  func atomicWrites() async throws {
    let directory = try TemporaryDirectory()
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let raw = try RawDatabase(store.databasePath)
    try raw.execute("""
      CREATE TRIGGER refuse_tag BEFORE INSERT ON logged_model_tags WHEN NEW.tag_key = 'z-refused'
      BEGIN SELECT RAISE(ABORT, 'refused by test'); END;
      CREATE TRIGGER refuse_span BEFORE INSERT ON spans WHEN NEW.name = 'llm'
      BEGIN SELECT RAISE(ABORT, 'refused by test'); END;
      """)
    let modelError = await #expect(throws: MLflowStoreError.self) {
      try await store.createLoggedModel(experimentID: "0", name: "m", tags: ["a": "1", "z-refused": "x"])
    }
    #expect(modelError?.message.contains("refused by test") == true)
    #expect(try raw.count("logged_models") == 0 && raw.count("logged_model_tags") == 0)

    let trace = SampleTrace.make(modelID: nil)
    await #expect(throws: MLflowStoreError.self) { try await store.logTrace(trace) }
    for table in ["trace_info", "trace_tags", "trace_request_metadata", "spans"] {
      #expect(try raw.count(table) == 0, "\(table)")
    }
  }

  private func makeReadOnly(_ path: String) throws {
    if getuid() == 0 {
      // Permission bits do not stop root; the immutable attribute does.
      let output = try ChildProcess.run("chattr", arguments: ["+i", path])
      guard output.succeeded else { throw TestFailure("chattr +i failed: \(output.standardErrorText)") }
    } else {
      try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path)
    }
  }

  private func makeWritable(_ path: String) throws {
    if getuid() == 0 {
      _ = try ChildProcess.run("chattr", arguments: ["-i", path])
    } else {
      try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
  }
}
