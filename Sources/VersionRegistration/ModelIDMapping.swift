package import GitState
import LocalFiles

/// Provisional model IDs and the IDs their models got at delivery.
///
/// While a tracking server is unreachable, a version gets a provisional ID (see
/// ``UndeliveredVersion``); so does a version an app start registers while a worker holds the
/// registration lock, whatever the store. Traces recorded meanwhile carry it. At delivery the
/// store's model of the version is found or created (a server gives it its own ID), and the
/// pair is recorded here, in the repository's Git common directory (`mlflow-git/model-ids`, mode
/// 0600), so journaled traces can be re-linked to the final ID. A final ID given while
/// `mlflow.db` was missing is kept by the embedded store and never appears here.
///
/// File format: one line per delivery, appended in one `write`, tab-separated:
/// `v1 <provisional ID> <final ID> <tracking URI>`. The last line for a provisional ID wins.
///
/// # Usage
/// ```swift
/// // Before sending a trace journaled with `modelID`:
/// switch ModelIDMapping.status(of: modelID, in: repository) {
/// case .mapped(let final): send(trace, linkedTo: final)
/// case .undelivered: keep(trace)                 // its version is not in the store yet
/// case .final: send(trace, linkedTo: modelID)
/// }
/// ```
package enum ModelIDMapping {
  /// What is known locally about a model ID.
  package enum Status: Sendable, Hashable {
    /// The model is, or will be, in its store under this ID: it was never undelivered, or it
    /// was delivered to the embedded store with this ID.
    case final
    /// The version is not in its store yet. A provisional ID (tracking server) will be
    /// replaced at delivery; a final one (embedded store) will not.
    case undelivered(provisional: Bool)
    /// The provisional ID was delivered as the model with this ID.
    case mapped(to: String)
  }

  /// The ID a provisional model ID was delivered as, or `nil` when it has not been delivered
  /// yet (or is not a provisional ID of this repository).
  ///
  /// - Parameters:
  ///   - provisional: A model ID handed out while the tracking server was unreachable.
  ///   - repository: Any worktree of the repository that handed it out.
  package static func finalID(for provisional: String, in repository: GitRepository) -> String? {
    mappings(stateDirectory: Registration.stateDirectory(of: repository))[provisional]
  }

  /// Whether `modelID` is final, undelivered, or was replaced at delivery.
  package static func status(of modelID: String, in repository: GitRepository) -> Status {
    status(of: modelID, stateDirectory: Registration.stateDirectory(of: repository))
  }

  /// Whether `modelID` is final, undelivered, or was replaced at delivery, from the state
  /// folder of its repository (`<git common dir>/mlflow-git`).
  ///
  /// The record is read before the mappings: a delivery appends the mapping before it removes
  /// the record, so a record found gone means its mapping, if any, is already there. Read the
  /// other way round, a delivery by another process between the two reads would make a
  /// provisional ID look final, and its traces would reach the server linked to a model it
  /// never had.
  package static func status(of modelID: String, stateDirectory directory: String) -> Status {
    let undelivered = UndeliveredVersions(stateDirectory: directory).find(modelID)
    if let final = mappings(stateDirectory: directory)[modelID] { return .mapped(to: final) }
    if let undelivered { return .undelivered(provisional: undelivered.isProvisional) }
    return .final
  }

  /// Records that `provisional` was delivered as `final` in `store`.
  static func record(provisional: String, final: String, store: String, stateDirectory: String) throws(LocalFileError) {
    let line = ["v1", provisional, final, store].joined(separator: "\t") + "\n"
    try PrivateFiles.append(Array(line.utf8), to: path(stateDirectory))
  }

  /// Every provisional ID with its final ID.
  static func mappings(stateDirectory: String) -> [String: String] {
    guard let bytes = PrivateFiles.contents(path(stateDirectory)) else { return [:] }
    var result: [String: String] = [:]
    for line in bytes.split(separator: UInt8(ascii: "\n")) {
      let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
      guard fields.count == 4, fields[0] == "v1", UndeliveredVersions.isModelID(fields[1]), !fields[2].isEmpty
      else { continue }
      result[fields[1]] = fields[2]
    }
    return result
  }

  private static func path(_ stateDirectory: String) -> String { StateFolder(path: stateDirectory).modelIDs }
}
