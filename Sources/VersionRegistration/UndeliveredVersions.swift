import LocalFiles
import MLflowStore

#if canImport(Glibc)
import Glibc
#endif

/// The folder of undelivered versions in the repository's Git common directory
/// (`mlflow-git/undelivered/`, mode 0700): one private file per version (mode 0600), written
/// under the registration lock and removed once the version is in its store.
///
/// Files:
/// - `<model ID>.json`: the record, one JSON object (see ``UndeliveredVersion``): `format` (1),
///   `modelID`, `provisional`, `trackingURI`, `experiment` (`id:…`/`name:…`), `state` (the
///   index's state key), `dirtyVersions`, `name`, `branch`, `commit`, `dirty`, `repoURL`,
///   `creationTimestamp` (ms), `tags` (every tag the model is created with).
/// - `<model ID>.diff`: a dirty version's diff in MLflow's format, byte for byte (its tag may
///   hold only the first part), written before the record.
/// - `<model ID>.patch`: when a binary file changed, the diff with its contents (`git diff
///   --binary`), what restores the tree; written before the record.
///
/// A record is written whole (temporary file, `fsync`, `rename`): a reader sees it complete or
/// not at all. Its existence is what makes the version undelivered; it is removed only after
/// the model exists in the store, so a delivery killed at any point is repeated, never lost.
package struct UndeliveredVersions: Sendable {
  /// The folder.
  let directory: String
  /// The state folder it is in.
  let stateDirectory: String

  package init(stateDirectory: String) {
    self.stateDirectory = stateDirectory
    directory = StateFolder(path: stateDirectory).undelivered
  }

  private func recordPath(_ modelID: String) -> String { directory + "/" + modelID + ".json" }
  private func diffPath(_ modelID: String) -> String { directory + "/" + modelID + ".diff" }
  private func patchPath(_ modelID: String) -> String { directory + "/" + modelID + ".patch" }

  /// Stores `version` (and a dirty version's `diff` and binary `patch`), replacing its earlier record.
  func write(_ version: UndeliveredVersion, diff: [UInt8]?, patch: [UInt8]? = nil) throws(LocalFileError) {
    try Registration.createStateDirectory(stateDirectory, subfolder: "undelivered")
    if let diff { try PrivateFiles.replace(diffPath(version.modelID), with: diff) }
    if let patch { try PrivateFiles.replace(patchPath(version.modelID), with: patch) }
    try PrivateFiles.replace(recordPath(version.modelID), with: Array((version.json.pythonJSON + "\n").utf8))
  }

  /// `true` when the version with this model ID is undelivered (one `access` call).
  package func contains(_ modelID: String) -> Bool {
    Self.isModelID(modelID) && access(recordPath(modelID), F_OK) == 0
  }

  /// The record of `modelID`, or `nil`.
  package func find(_ modelID: String) -> UndeliveredVersion? {
    guard Self.isModelID(modelID), let bytes = PrivateFiles.contents(recordPath(modelID)),
      let json = JSONValue.parse(String(decoding: bytes, as: UTF8.self))
    else { return nil }
    return UndeliveredVersion(json: json)
  }

  /// A dirty version's diff in MLflow's format.
  func diff(of modelID: String) -> [UInt8]? {
    guard Self.isModelID(modelID) else { return nil }
    return PrivateFiles.contents(diffPath(modelID))
  }

  /// A dirty version's binary patch, when a binary file changed (see ``GitVersion/patch``).
  func patch(of modelID: String) -> [UInt8]? {
    guard Self.isModelID(modelID) else { return nil }
    return PrivateFiles.contents(patchPath(modelID))
  }

  /// The version `record` stands for, with its diff and patch.
  func gitVersion(of record: UndeliveredVersion) -> GitVersion {
    GitVersion(
      branch: record.branch, commit: record.commit, isDirty: record.isDirty, repoURL: record.repoURL,
      diff: record.isDirty ? diff(of: record.modelID) ?? [] : nil, patch: patch(of: record.modelID))
  }

  /// Forgets a delivered version: the record first (the version is then delivered), then its
  /// diff and patch.
  func remove(_ modelID: String) throws(LocalFileError) {
    if unlink(recordPath(modelID)) != 0 && errno != ENOENT {
      throw LocalFileError(path: recordPath(modelID), operation: "remove", errno: errno)
    }
    unlink(diffPath(modelID))
    unlink(patchPath(modelID))
  }

  /// The model IDs with a record, without reading them (one directory read; none when the
  /// folder does not exist).
  func modelIDs() -> [String] {
    guard let folder = opendir(directory) else { return [] }
    defer { closedir(folder) }
    var ids: [String] = []
    while let entry = readdir(folder) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      guard name.hasSuffix(".json") else { continue }
      let id = String(name.dropLast(".json".count))
      if Self.isModelID(id) { ids.append(id) }
    }
    return ids
  }

  /// `true` when no version is undelivered.
  package var isEmpty: Bool { modelIDs().isEmpty }

  /// Every readable record, oldest first.
  func all() -> [UndeliveredVersion] {
    modelIDs().compactMap(find).sorted { ($0.creationTimestamp, $0.modelID) < ($1.creationTimestamp, $1.modelID) }
  }

  /// `m-` and 32 lowercase hex digits: a model ID, and a safe file name.
  static func isModelID(_ text: String) -> Bool {
    text.hasPrefix("m-") && Identifiers.isLowercaseHex(text.dropFirst(2), digits: 32)
  }
}
