package import GitState
import LocalFiles

#if canImport(Glibc)
import Glibc
#endif

/// The local version index: which LoggedModel stands for which Git state in which store and
/// experiment, kept in the repository's Git common directory (`mlflow-git/index/`, a 0700
/// folder of 0600 files).
///
/// Hooks and apps write it when they register a version; a start whose version is indexed asks
/// the store nothing. The index is split in up to 4,096 files by the first three hex digits of
/// the state key, so a lookup reads one small file however many versions the repository has.
/// One line per entry, appended in a single `write` so concurrent writers never tear a line;
/// the last line for a key wins, and a line with model `-` removes the entry (a model found
/// deleted in MLflow). Writers hold the registration lock or the undelivered-version lock.
///
/// An index written by an earlier mlflow-git (one file, `mlflow-git/versions`) is still read,
/// under the split one, until a worker moves its entries over (``migrateLegacyFile()``).
///
/// Line format (tab-separated): `v1 store experiment stateKey modelID branch commit dirty
/// experimentID`, the experiment being the environment's selection (`id:…` or `name:…`) and
/// `experimentID` the ID it had, empty while unknown (a version kept undelivered under an
/// experiment name; the one-file index of before had no such field). Branch names cannot
/// contain tabs or newlines (git forbids control characters in ref names).
package struct VersionIndex: Sendable {
  /// The folder of index files.
  let directory: String
  /// The one-file index of earlier versions.
  let legacyPath: String
  /// The state folder it is in.
  var stateDirectory: String { String(legacyPath.dropLast("/versions".count)) }

  package init(stateDirectory: String) {
    directory = StateFolder(path: stateDirectory).index
    legacyPath = StateFolder(path: stateDirectory).legacyIndex
  }

  package struct Key: Hashable, Sendable {
    package var store: String
    package var experiment: String
    package var state: String

    package init(store: String, experiment: String, state: String) {
      self.store = store
      self.experiment = experiment
      self.state = state
    }

    var linePrefix: String { "v1\t\(store)\t\(experiment)\t\(state)\t" }

    /// The index file's name: the state key's first three hex digits (of its digest when it
    /// is not a hex digest itself).
    var shard: String {
      let hex = state.utf8.prefix(3).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
      return String((state.utf8.count >= 3 && hex ? state : SHA256.hexDigest(Array(state.utf8))).prefix(3))
    }
  }

  package struct Entry: Hashable, Sendable {
    package var key: Key
    package var modelID: String
    package var branch: String
    package var commit: String
    package var isDirty: Bool
    /// The experiment's ID, when known.
    package var experimentID: String?

    init(key: Key, modelID: String, branch: String, commit: String, isDirty: Bool, experimentID: String? = nil) {
      self.key = key
      self.modelID = modelID
      self.branch = branch
      self.commit = commit
      self.isDirty = isDirty
      self.experimentID = experimentID
    }

    var line: String {
      key.linePrefix
        + [modelID, branch, commit, isDirty ? "dirty" : "clean", experimentID ?? ""].joined(separator: "\t") + "\n"
    }
  }

  /// What the index holds for a key.
  package struct Found: Hashable, Sendable {
    package var modelID: String
    package var experimentID: String?
  }

  /// The model recorded for `key`, or `nil`.
  package func modelID(for key: Key) -> String? {
    find(key)?.modelID
  }

  /// The model recorded for `key`, with its experiment's ID when known, or `nil`.
  package func find(_ key: Key) -> Found? {
    switch Self.lookup(key, in: directory + "/" + key.shard) {
    case .found(let found): found
    case .removed: nil
    case .absent: if case .found(let found) = Self.lookup(key, in: legacyPath) { found } else { nil }
    }
  }

  fileprivate enum Lookup {
    case found(Found), removed, absent

    var isAbsent: Bool { if case .absent = self { true } else { false } }
  }

  /// The last line for `key` in the file at `path`.
  private static func lookup(_ key: Key, in path: String) -> Lookup {
    guard let bytes = PrivateFiles.contents(path) else { return .absent }
    let prefix = Array(key.linePrefix.utf8)
    var found = Lookup.absent
    for line in bytes.split(separator: UInt8(ascii: "\n")) where line.starts(with: prefix) {
      let fields = line.dropFirst(prefix.count).split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
      guard let id = fields.first else { continue }
      if id.elementsEqual("-".utf8) {
        found = .removed
      } else {
        let experiment = fields.count > 4 && !fields[4].isEmpty ? String(decoding: fields[4], as: UTF8.self) : nil
        found = .found(Found(modelID: String(decoding: id, as: UTF8.self), experimentID: experiment))
      }
    }
    return found
  }

  /// Records `entry`, replacing what the index said about its key.
  func record(_ entry: Entry) throws(LocalFileError) {
    try append(entry.line, for: entry.key)
  }

  /// Forgets the entry for `key` (its model was deleted in MLflow).
  func remove(_ key: Key) throws(LocalFileError) {
    try append(key.linePrefix + "-\t\t\t\n", for: key)
  }

  private func append(_ line: String, for key: Key) throws(LocalFileError) {
    try Registration.createStateDirectory(stateDirectory, subfolder: "index")
    try PrivateFiles.append(Array(line.utf8), to: directory + "/" + key.shard)
  }

  /// Every current entry, oldest first (later lines replace earlier ones for the same key).
  package func entries() -> [Entry] {
    var order: [Key] = []
    var latest: [Key: Entry?] = [:]
    for path in [legacyPath] + shardPaths() {
      guard let bytes = PrivateFiles.contents(path) else { continue }
      for line in bytes.split(separator: UInt8(ascii: "\n")) {
        let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
          .map { String(decoding: $0, as: UTF8.self) }
        guard fields.count == 8 || fields.count == 9, fields[0] == "v1" else { continue }
        let key = Key(store: fields[1], experiment: fields[2], state: fields[3])
        if latest[key] == nil { order.append(key) }
        latest[key] = fields[4] == "-" ? .some(nil)
          : Entry(
            key: key, modelID: fields[4], branch: fields[5], commit: fields[6], isDirty: fields[7] == "dirty",
            experimentID: fields.count == 9 && !fields[8].isEmpty ? fields[8] : nil)
      }
    }
    return order.compactMap { latest[$0] ?? nil }
  }

  private func shardPaths() -> [String] {
    guard let folder = opendir(directory) else { return [] }
    defer { closedir(folder) }
    var paths: [String] = []
    while let entry = readdir(folder) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      if name.utf8.count == 3, !name.hasPrefix(".") { paths.append(directory + "/" + name) }
    }
    return paths.sorted()
  }

  /// Moves the entries of an earlier mlflow-git's one-file index into the split one (those the
  /// split one does not have yet), then removes the old file. Call with both the registration
  /// lock and the undelivered-version lock held, so no other writer runs meanwhile.
  func migrateLegacyFile() throws(LocalFileError) {
    guard access(legacyPath, F_OK) == 0 else { return }
    let legacy = VersionIndex(directory: directory + "/.none", legacyPath: legacyPath).entries()
    for entry in legacy where Self.lookup(entry.key, in: directory + "/" + entry.key.shard).isAbsent {
      try record(entry)
    }
    unlink(legacyPath)
  }

  private init(directory: String, legacyPath: String) {
    self.directory = directory
    self.legacyPath = legacyPath
  }
}

/// Read-only views of the local state for diagnostics (`mlflow-git doctor`).
package enum VersionIndexReport {
  /// The model IDs the index holds for `store` (a tracking URI).
  package static func entries(of repository: GitRepository, store: String) -> [String] {
    VersionIndex(stateDirectory: Registration.stateDirectory(of: repository)).entries()
      .filter { $0.key.store == store }.map(\.modelID)
  }

  /// The last `lines` lines of the background worker's log, or `nil` when there is none.
  package static func workerLogTail(of repository: GitRepository, lines: Int) -> [String]? {
    let path = StateFolder(path: Registration.stateDirectory(of: repository)).workerLog
    guard let bytes = PrivateFiles.contents(path) else { return nil }
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n").suffix(lines).map(String.init)
  }
}
