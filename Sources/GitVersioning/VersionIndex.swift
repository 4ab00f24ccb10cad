import GitState
import LocalFiles

/// The local version index: which LoggedModel stands for which Git state in which store and
/// experiment, kept in the repository's Git common directory (`mlflow-git/versions`, mode 0600).
///
/// Hooks and apps write it when they register a version; a start whose version is indexed asks
/// the store nothing. One line per entry, appended in a single `write` so concurrent writers
/// never tear a line; the last line for a key wins, and a line with model `-` removes the entry
/// (a model found deleted in MLflow).
///
/// Line format (tab-separated): `v1 store experiment stateKey modelID branch commit dirty`.
/// Branch names cannot contain tabs or newlines (git forbids control characters in ref names).
struct VersionIndex: Sendable {
  /// The index file.
  let path: String

  init(stateDirectory: String) {
    path = stateDirectory + "/versions"
  }

  struct Key: Hashable, Sendable {
    var store: String
    var experiment: String
    var state: String

    var linePrefix: String { "v1\t\(store)\t\(experiment)\t\(state)\t" }
  }

  struct Entry: Hashable, Sendable {
    var key: Key
    var modelID: String
    var branch: String
    var commit: String
    var isDirty: Bool
  }

  /// The model recorded for `key`, or `nil`.
  func modelID(for key: Key) -> String? {
    guard let bytes = try? PrivateFiles.read(path) else { return nil }
    let prefix = Array(key.linePrefix.utf8)
    var found: String?
    for line in bytes.split(separator: UInt8(ascii: "\n")) where line.starts(with: prefix) {
      let rest = line.dropFirst(prefix.count)
      let id = rest.prefix { $0 != UInt8(ascii: "\t") }
      found = id.elementsEqual("-".utf8) ? nil : String(decoding: id, as: UTF8.self)
    }
    return found
  }

  /// Records `entry`, replacing what the index said about its key.
  func record(_ entry: Entry) throws(LocalFileError) {
    let line = entry.key.linePrefix + [entry.modelID, entry.branch, entry.commit, entry.isDirty ? "dirty" : "clean"]
      .joined(separator: "\t") + "\n"
    try PrivateFiles.append(Array(line.utf8), to: path)
  }

  /// Forgets the entry for `key` (its model was deleted in MLflow).
  func remove(_ key: Key) throws(LocalFileError) {
    try PrivateFiles.append(Array((key.linePrefix + "-\t\t\t\n").utf8), to: path)
  }

  /// Every current entry, oldest first (later lines replace earlier ones for the same key).
  func entries() -> [Entry] {
    guard let bytes = try? PrivateFiles.read(path) else { return [] }
    var order: [Key] = []
    var latest: [Key: Entry?] = [:]
    for line in bytes.split(separator: UInt8(ascii: "\n")) {
      let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
      guard fields.count == 8, fields[0] == "v1" else { continue }
      let key = Key(store: fields[1], experiment: fields[2], state: fields[3])
      if latest[key] == nil { order.append(key) }
      latest[key] = fields[4] == "-" ? .some(nil)
        : Entry(key: key, modelID: fields[4], branch: fields[5], commit: fields[6], isDirty: fields[7] == "dirty")
    }
    return order.compactMap { latest[$0] ?? nil }
  }
}

/// Read-only views of the local state for diagnostics (`mlflow-git doctor`).
public enum VersionIndexReport {
  /// The model IDs the index holds for `store` (a tracking URI).
  public static func entries(of repository: GitRepository, store: String) -> [String] {
    VersionIndex(stateDirectory: VersionResolution.stateDirectory(of: repository)).entries()
      .filter { $0.key.store == store }.map(\.modelID)
  }

  /// The last `lines` lines of the background worker's log, or `nil` when there is none.
  public static func workerLogTail(of repository: GitRepository, lines: Int) -> [String]? {
    let path = VersionResolution.stateDirectory(of: repository) + "/worker.log"
    guard let bytes = (try? PrivateFiles.read(path)) ?? nil else { return nil }
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n").suffix(lines).map(String.init)
  }
}
