import Foundation
import MLflowStore
import Testing
import TestSupport

/// The stamp of real MLflow databases, written and read by Python's sqlite3 and by this store:
/// every commit changes it, reads do not, and whatever it cannot vouch for gives `nil`.
@Suite("SQLite change stamp")
struct SQLiteChangeStampTests {
  @Test("Each write Python commits advances the counter SQLite keeps; reads leave the stamp equal")
  func writesAndReads() async throws {
    let directory = try TemporaryDirectory()
    let path = try await MLflowDatabaseTemplate.copy(into: directory)
    let initial = try #require(SQLiteChangeStamp.read(databasePath: path))

    let counterAfterReads = try await Self.python(on: path, ["SELECT count(*) FROM experiments", "SELECT * FROM logged_models"])
    #expect(SQLiteChangeStamp.read(databasePath: path) == initial)
    #expect(counterAfterReads == Int(initial.changeCounter))

    let counterAfterWrites = try await Self.python(on: path, ["CREATE TABLE probe (x)", "INSERT INTO probe VALUES (1)"])
    let written = try #require(SQLiteChangeStamp.read(databasePath: path))
    #expect(written.changeCounter == initial.changeCounter + 2, "one increment per committed transaction")
    #expect(Int(written.changeCounter) == counterAfterWrites, "the counter Python reads from the header")
    #expect(written != initial)
    #expect(written.device == initial.device && written.inode == initial.inode)
  }

  @Test("Opening this store and reading models leaves the stamp equal (once the Default experiment is there)")
  func storeReads() async throws {
    let directory = try TemporaryDirectory()
    let path = try await MLflowDatabaseTemplate.copy(into: directory)
    let model = try await SQLiteTrackingStore(databasePath: path).createLoggedModel(experimentID: "0", name: "m", tags: [:])
    let before = try #require(SQLiteChangeStamp.read(databasePath: path))
    let store = try SQLiteTrackingStore(databasePath: path, options: .init(createIfMissing: false))
    #expect(try await store.loggedModel(id: model.modelID) == model)
    #expect(SQLiteChangeStamp.read(databasePath: path) == before)
  }

  @Test("nil for a missing file, a file that is not SQLite 3, and a database in WAL mode")
  func unreadable() async throws {
    let directory = try TemporaryDirectory()
    #expect(SQLiteChangeStamp.read(databasePath: directory.appending("missing.db")) == nil)
    #expect(SQLiteChangeStamp.read(databasePath: directory.path) == nil, "a folder")
    let garbage = directory.appending("garbage.db")
    try Data(String(repeating: "this is not an SQLite file\n", count: 20).utf8).write(to: URL(fileURLWithPath: garbage))
    #expect(SQLiteChangeStamp.read(databasePath: garbage) == nil)
    let short = directory.appending("short.db")
    try Data("SQLite format 3\0".utf8).write(to: URL(fileURLWithPath: short))
    #expect(SQLiteChangeStamp.read(databasePath: short) == nil, "shorter than a header")

    let wal = try await MLflowDatabaseTemplate.copy(into: directory, name: "wal.db")
    #expect(SQLiteChangeStamp.read(databasePath: wal) != nil)
    _ = try await Self.python(on: wal, ["PRAGMA journal_mode=WAL", "CREATE TABLE probe (x)"])
    #expect(!FileManager.default.fileExists(atPath: wal + "-wal"), "checkpointed and removed at close")
    #expect(SQLiteChangeStamp.read(databasePath: wal) == nil, "the header says WAL")
  }

  @Test("nil while a transaction writes (its journal exists), and with a leftover -journal or -wal file")
  func journals() async throws {
    let directory = try TemporaryDirectory()
    let path = try await MLflowDatabaseTemplate.copy(into: directory)
    let before = try #require(SQLiteChangeStamp.read(databasePath: path))

    let writer = try RawDatabase(path)
    try writer.execute("BEGIN IMMEDIATE; CREATE TABLE probe (x)")
    #expect(FileManager.default.fileExists(atPath: path + "-journal"))
    #expect(SQLiteChangeStamp.read(databasePath: path) == nil)
    try writer.execute("COMMIT")
    let committed = try #require(SQLiteChangeStamp.read(databasePath: path))
    #expect(committed.changeCounter == before.changeCounter + 1)

    for suffix in ["-journal", "-wal"] {
      _ = try? Data().write(to: URL(fileURLWithPath: path + suffix))
      #expect(SQLiteChangeStamp.read(databasePath: path) == nil, "\(suffix)")
      try FileManager.default.removeItem(atPath: path + suffix)
      #expect(SQLiteChangeStamp.read(databasePath: path) == committed, "\(suffix)")
    }
  }

  @Test("A copy moved over the database is another file: a new inode, another stamp")
  func replacedFile() async throws {
    let directory = try TemporaryDirectory()
    let path = try await MLflowDatabaseTemplate.copy(into: directory)
    let before = try #require(SQLiteChangeStamp.read(databasePath: path))
    try FileManager.default.copyItem(atPath: path, toPath: path + ".copy")
    #expect(rename(path + ".copy", path) == 0)
    let after = try #require(SQLiteChangeStamp.read(databasePath: path))
    #expect(after.changeCounter == before.changeCounter)
    #expect(after.inode != before.inode)
    #expect(after != before)
  }

  @Test("The text form reads back to the same stamp; anything else is nil")
  func textRoundTrip() async throws {
    let directory = try TemporaryDirectory()
    let path = try await MLflowDatabaseTemplate.copy(into: directory)
    let stamp = try #require(SQLiteChangeStamp.read(databasePath: path))
    #expect(SQLiteChangeStamp(text: stamp.text) == stamp)
    #expect(stamp.text.split(separator: " ").count == 6)
    #expect(stamp.text.hasSuffix(" \(stamp.changeCounter)"))
    let malformed = [
      "", "1 2 3 4 5", "1 2 3 4 5 6 7", "1 2 3 4 5 x", "1 2 3 4 5 4294967296", "1  2 3 4 5 6", "-1 2 3 4 5 6",
      "1\t2 3 4 5 6",
    ]
    for text in malformed {
      #expect(SQLiteChangeStamp(text: text) == nil, "\(text)")
    }
    #expect(SQLiteChangeStamp(text: "1 2 3 -4 5 6")?.text == "1 2 3 -4 5 6")
  }

  /// Runs `statements` through Python's sqlite3 module on `path`, each in its own transaction
  /// (autocommit), and returns the file change counter Python then reads from the header.
  static func python(on path: String, _ statements: [String]) async throws -> Int {
    let script = """
      import json, sqlite3, struct
      connection = sqlite3.connect(\(pythonLiteral(path)), isolation_level=None)
      for statement in [\(statements.map(pythonLiteral).joined(separator: ", "))]:
          connection.execute(statement).fetchall()
      connection.close()
      with open(\(pythonLiteral(path)), "rb") as database:
          print(json.dumps(list(struct.unpack(">I", database.read(100)[24:28]))))
      """
    let counter = try await ReferenceMLflow.runJSON(script, environment: ReferenceMLflow.environment())
    return try #require((counter as? [Int])?.first)
  }
}
