import LocalFiles

/// Models a registration created and then could not delete after finding an older model of the
/// same version (see ``VersionRegistry``), kept in the repository's Git common directory
/// (`mlflow-git/duplicates`, mode 0600) until a later registration deletes them.
///
/// File format: one line per duplicate, tab-separated: `v1 <tracking URI> <model ID>`. Written
/// under the registration lock.
struct DuplicateModels: Sendable {
  let path: String

  init(stateDirectory: String) {
    path = StateFolder(path: stateDirectory).duplicates
  }

  /// Records that `modelID` in `store` (a tracking URI) is a duplicate still to delete.
  func record(_ modelID: String, store: String) throws(LocalFileError) {
    try PrivateFiles.append(Array("v1\t\(store)\t\(modelID)\n".utf8), to: path)
  }

  /// The duplicates still to delete in `store`.
  func waiting(in store: String) -> [String] {
    lines().filter { $0.store == store }.map(\.modelID)
  }

  /// Forgets the duplicates of `store` that are deleted now.
  func forget(_ deleted: Set<String>, in store: String) throws(LocalFileError) {
    let kept = lines().filter { $0.store != store || !deleted.contains($0.modelID) }
    try PrivateFiles.replace(path, with: Array(kept.map { "v1\t\($0.store)\t\($0.modelID)\n" }.joined().utf8))
  }

  private func lines() -> [(store: String, modelID: String)] {
    guard let bytes = PrivateFiles.contents(path) else { return [] }
    return bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
      let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
      guard fields.count == 3, fields[0] == "v1", UndeliveredVersions.isModelID(fields[2]) else { return nil }
      return (fields[1], fields[2])
    }
  }
}
