import Foundation
import TestSupport

/// Another creator of a version's model, in a Python process on the same `mlflow.db`, driven
/// step by step: asked to create, it opens a write transaction and inserts its model — created
/// in the millisecond it is given, under an ID that sorts before any other — and says so while
/// the transaction is still open; it commits `hold` seconds later, then picks the oldest model of
/// the version (creation time, then ID), as every creator does, and says which.
final class RacingCreator: @unchecked Sendable {
  private let process = Process()
  private let input = Pipe()
  private let output = Pipe()

  static let script = """
    import json, sqlite3, sys, time, uuid
    connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
    for line in sys.stdin:
        request = json.loads(line)
        experiment = int(request["experiment"])
        stamp = request["timestamp"]
        connection.execute("BEGIN IMMEDIATE")
        model_id = "m-00000000" + uuid.uuid4().hex[:24]
        connection.execute(
            "INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms,"
            " last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id, status_message)"
            " VALUES (?, ?, 'racing-creator', ?, ?, ?, 2, 'active', NULL, NULL, NULL)",
            (model_id, experiment, request["artifacts"], stamp, stamp))
        for key, value in request["tags"].items():
            connection.execute(
                "INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?)",
                (model_id, experiment, key, value))
        print(model_id, flush=True)
        time.sleep(request["hold"])
        connection.execute("COMMIT")
        oldest = connection.execute(
            "SELECT m.model_id FROM logged_models m JOIN logged_model_tags t ON t.model_id = m.model_id"
            " WHERE m.lifecycle_stage = 'active' AND m.experiment_id = ? AND t.tag_key = 'mlflow.source.git.commit'"
            " AND t.tag_value = ? ORDER BY m.creation_timestamp_ms, m.model_id LIMIT 1",
            (experiment, request["tags"]["mlflow.source.git.commit"])).fetchone()[0]
        print(oldest, flush=True)
    """

  init(databasePath: String) async throws {
    process.executableURL = URL(fileURLWithPath: try await ReferenceMLflow.pythonPath())
    process.arguments = ["-c", Self.script, databasePath]
    process.standardInput = input
    process.standardOutput = output
    try process.run()
  }

  /// Starts creating the model of the version whose tags are `tags`, created at `timestamp`
  /// (milliseconds); returns its ID once it is inserted, its transaction still open.
  func startCreating(
    timestamp: Int64, experimentID: String, tags: [String: String], artifactLocation: String, hold: Double
  ) throws -> String {
    let request: [String: Any] = [
      "timestamp": timestamp, "experiment": experimentID, "tags": tags, "artifacts": artifactLocation, "hold": hold,
    ]
    input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: request) + Data("\n".utf8))
    return try line()
  }

  /// The model it chose once it committed.
  func chosen() throws -> String { try line() }

  private func line() throws -> String {
    var bytes: [UInt8] = []
    while true {
      let byte = output.fileHandleForReading.readData(ofLength: 1)
      guard let first = byte.first else { throw TestFailure("the racing creator stopped: \(bytes)") }
      if first == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
      bytes.append(first)
    }
  }

  func stop() {
    try? input.fileHandleForWriting.close()
    process.waitUntilExit()
  }
}
