import LocalFiles
import MLflowStore
import VersionRegistration

/// The store checks that found their model, each with the state of the SQLite database it read
/// (a ``SQLiteChangeStamp``), kept in the repository's Git common directory
/// (`mlflow-git/store-checks`, mode 0600).
///
/// While the database has the state a check saw, the model is still there: a later check of
/// the same model finds the same stamp here and needs no store request (see
/// ``VersionResolution/verified()``). Any write to the database changes its stamp, so the next
/// check is a real one again.
///
/// The record is only an optimisation: a missing, unreadable or corrupt record reads as empty
/// and is replaced whole on the next write, and a write that fails is ignored. Writers replace
/// the file atomically without a lock, so concurrent writers may lose each other's entries:
/// that costs a real check later, never a wrong answer.
///
/// File format: one line per check, tab-separated:
/// `v1 <database path> <stamp text> <model ID> <experiment ID>`. Recording a check drops the
/// entries of the same database made at another stamp, and keeps the latest ``limit``.
struct StoreCheckRecord: Sendable {
  /// One check that found its model.
  struct Entry: Hashable, Sendable {
    /// The database file, as ``TrackingURI/sqlite(path:)`` gives it.
    var databasePath: String
    /// The database's state before and after the check.
    var stamp: SQLiteChangeStamp
    var modelID: String
    /// The experiment the model was found in.
    var experimentID: String

    /// The record line, or `nil` when a field cannot be written in one (a tab or newline).
    var line: String? {
      let fields = ["v1", databasePath, stamp.text, modelID, experimentID]
      guard !fields.contains(where: { $0.contains("\t") || $0.contains("\n") || $0.isEmpty }) else { return nil }
      return fields.joined(separator: "\t") + "\n"
    }

    /// Parses ``line`` (without its newline); `nil` when it is not an entry.
    init?(line: some StringProtocol) {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard fields.count == 5, fields[0] == "v1", !fields[1].isEmpty, let stamp = SQLiteChangeStamp(text: fields[2]),
        !fields[3].isEmpty, !fields[4].isEmpty
      else { return nil }
      self.init(
        databasePath: String(fields[1]), stamp: stamp, modelID: String(fields[3]), experimentID: String(fields[4]))
    }

    init(databasePath: String, stamp: SQLiteChangeStamp, modelID: String, experimentID: String) {
      self.databasePath = databasePath
      self.stamp = stamp
      self.modelID = modelID
      self.experimentID = experimentID
    }
  }

  /// The most entries kept.
  static let limit = 256

  /// mlflow-git's state folder (`<git common dir>/mlflow-git`).
  let stateDirectory: String
  /// The record file.
  var path: String { StateFolder(path: stateDirectory).storeChecks }

  init(stateDirectory: String) {
    self.stateDirectory = stateDirectory
  }

  /// The recorded entries, oldest first; none when the file is missing, unreadable or has a
  /// line that is not an entry.
  func entries() -> [Entry] {
    guard let bytes = PrivateFiles.contents(path), !bytes.isEmpty else { return [] }
    guard bytes.last == UInt8(ascii: "\n") else { return [] }
    var entries: [Entry] = []
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
      guard let entry = Entry(line: line) else { return [] }
      entries.append(entry)
    }
    return entries
  }

  /// The experiments checks found `modelID` in while `databasePath` had the state `stamp`
  /// (none when no such check is recorded).
  func experimentIDs(of modelID: String, in databasePath: String, at stamp: SQLiteChangeStamp) -> [String] {
    entries().filter { $0.databasePath == databasePath && $0.stamp == stamp && $0.modelID == modelID }
      .map(\.experimentID)
  }

  /// Records `entry`, dropping the entries of its database at other stamps (states that are
  /// gone) and the oldest beyond ``limit``. Never fails: a record that cannot be written only
  /// means a real check next time.
  func record(_ entry: Entry) {
    guard entry.line != nil else { return }
    var kept = entries().filter { $0.databasePath != entry.databasePath || ($0.stamp == entry.stamp && $0 != entry) }
    kept.append(entry)
    let text = kept.suffix(Self.limit).compactMap(\.line).joined()
    try? Registration.createStateDirectory(stateDirectory)
    // Not flushed: after a system crash the record may be empty or hold zeroes, which read as
    // no record; it never holds a check that was not made.
    try? PrivateFiles.replace(path, with: Array(text.utf8), durable: false)
  }
}
