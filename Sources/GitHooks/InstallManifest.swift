import LocalFiles

/// What `mlflow-git install` did in a repository, so `uninstall` undoes exactly that and the
/// hook-presence check knows where to look: `<git common dir>/mlflow-git/install`.
///
/// One record a line, `kind` or `kind<TAB>value`. Its existence also tells the hooks that
/// mlflow-git is installed in this repository (they journal nothing where it is missing).
struct InstallManifest: Sendable, Hashable {
  let path: String
  private(set) var records: Set<String>

  /// The manifest of the repository whose Git common directory is `commonDirectory`.
  init(commonDirectory: String) {
    path = StateFolder(commonDirectory: commonDirectory).installManifest
    let bytes = PrivateFiles.head(path, limit: 1 << 16)
    records = Set((bytes.map { String(decoding: $0, as: UTF8.self) } ?? "").split(separator: "\n").map(String.init))
  }

  var exists: Bool { FileOperations.exists(path) }

  /// The first value of each record kind in the manifest of `commonDirectory`, read straight
  /// from its bytes (the hook-presence check an app start makes), or `nil` when there is none.
  static func firstValues(commonDirectory: String) -> [String: String]? {
    guard let bytes = PrivateFiles.head(StateFolder(commonDirectory: commonDirectory).installManifest, limit: 1 << 14) else { return nil }
    var values: [String: String] = [:]
    for line in bytes.split(separator: UInt8(ascii: "\n")) {
      guard let tab = line.firstIndex(of: UInt8(ascii: "\t")) else { continue }
      let kind = String(decoding: line[..<tab], as: UTF8.self)
      if values[kind] == nil { values[kind] = String(decoding: line[(tab + 1)...], as: UTF8.self) }
    }
    return values
  }

  /// The values recorded under `kind`.
  func values(_ kind: String) -> [String] {
    records.compactMap { record in
      record.hasPrefix(kind + "\t") ? String(record.dropFirst(kind.count + 1)) : nil
    }.sorted()
  }

  func value(_ kind: String) -> String? { values(kind).first }

  func contains(_ kind: String, _ value: String? = nil) -> Bool {
    records.contains(value.map { kind + "\t" + $0 } ?? kind)
  }

  mutating func insert(_ kind: String, _ value: String? = nil) {
    records.insert(value.map { kind + "\t" + $0 } ?? kind)
  }

  mutating func remove(_ kind: String, _ value: String? = nil) {
    records.remove(value.map { kind + "\t" + $0 } ?? kind)
  }

  /// Replaces the values of `kind` with `value`.
  mutating func set(_ kind: String, _ value: String?) {
    records = records.filter { !$0.hasPrefix(kind + "\t") }
    if let value { insert(kind, value) }
  }

  /// What adding a block to `path` changed besides the block (see ``AddedBlock``).
  func changes(for path: String) -> AddedBlock.Changes {
    AddedBlock.Changes(createdFile: contains("created", path), addedNewline: contains("newline", path))
  }

  mutating func record(_ changes: AddedBlock.Changes?, for path: String) {
    guard let changes else { return }
    if changes.createdFile { insert("created", path) }
    if changes.addedNewline { insert("newline", path) }
  }

  mutating func forget(_ path: String) {
    remove("created", path)
    remove("newline", path)
  }

  func write() throws(LocalFileError) {
    try PrivateFiles.replace(path, with: Array(records.sorted().map { $0 + "\n" }.joined().utf8))
  }
}
