package import GitState
import MLflowStore

/// A version that already has its model ID but is not in the tracking store yet: it was
/// registered while the store was absent (no `mlflow.db` and no `mlflow` to create it, or a
/// tracking server that did not answer).
///
/// Its ID is handed out at once — the app's active model, `MLFLOW_ACTIVE_MODEL_ID` of child
/// processes, `mlflow-git versions` — and the version is delivered later by the next hook, app
/// start or `mlflow-git sync`. For the embedded store the ID is final: the model is created in
/// `mlflow.db` under it. A tracking server chooses its own IDs, so there the ID is
/// provisional and ``ModelIDMapping`` tells the final one after delivery. So is the ID an app
/// start gives while a worker holds the registration lock, in any store: the worker may be
/// making the version's model, which delivery then finds.
///
/// # Usage
/// ```swift
/// for version in UndeliveredVersion.all(in: repository) {
///   print(version.modelID, version.name, version.isProvisional ? "provisional" : "final")
/// }
/// ```
package struct UndeliveredVersion: Sendable, Hashable {
  /// The model ID handed out for the version.
  package var modelID: String
  /// `true` when delivery finds or creates the model and maps this ID to the model's: the store
  /// is a tracking server, or the ID was given while a worker held the registration lock.
  package var isProvisional: Bool
  /// The store the version goes to, e.g. `sqlite:////src/app/mlflow.db`.
  package var trackingURI: String
  /// The model's name, e.g. `main-93be08f`.
  package var name: String
  package var branch: String
  package var commit: String
  package var isDirty: Bool
  package var repoURL: String?
  /// When the ID was handed out, in milliseconds since the Unix epoch; the model's creation
  /// time in the embedded store.
  package var creationTimestamp: Int64
  /// Every tag the model is created with (MLflow's git tags, the diff tags, source and user).
  package var tags: [String: String]

  /// The experiment as the environment selected it: `id:<ID>` or `name:<name>` (the index's
  /// experiment key); a named one is looked up, or created, at delivery.
  var experimentKey: String
  /// The index's key for the Git state.
  var stateKey: String
  /// The dirty-version policy the state key was computed with.
  var dirtyVersions: DirtyVersionPolicy

  /// The experiment's ID when the environment named it by ID (the default experiment `0`
  /// included), else `nil` until delivery looks the name up.
  package var experimentID: String? {
    experimentKey.hasPrefix("id:") ? String(experimentKey.dropFirst(3)) : nil
  }

  /// The index key the version is recorded under.
  var indexKey: VersionIndex.Key {
    VersionIndex.Key(store: trackingURI, experiment: experimentKey, state: stateKey)
  }

  /// The record's format version; a record of another version is not read.
  static let format: Int64 = 1

  /// The record as stored: one JSON object (see ``UndeliveredVersions``).
  var json: JSONValue {
    .object([
      ("format", .integer(Self.format)), ("modelID", .string(modelID)), ("provisional", .bool(isProvisional)),
      ("trackingURI", .string(trackingURI)), ("experiment", .string(experimentKey)), ("state", .string(stateKey)),
      ("dirtyVersions", .string(dirtyVersions.rawValue)), ("name", .string(name)), ("branch", .string(branch)),
      ("commit", .string(commit)), ("dirty", .bool(isDirty)), ("repoURL", repoURL.map(JSONValue.string) ?? .null),
      ("creationTimestamp", .integer(creationTimestamp)),
      ("tags", .object(tags.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
    ])
  }

  init(
    modelID: String, isProvisional: Bool, key: VersionIndex.Key, dirtyVersions: DirtyVersionPolicy,
    version: GitVersion, creationTimestamp: Int64, tags: [String: String]
  ) {
    self.modelID = modelID
    self.isProvisional = isProvisional
    trackingURI = key.store
    experimentKey = key.experiment
    stateKey = key.state
    self.dirtyVersions = dirtyVersions
    name = version.displayName
    branch = version.branch
    commit = version.commit
    isDirty = version.isDirty
    repoURL = version.repoURL
    self.creationTimestamp = creationTimestamp
    self.tags = tags
  }

  /// Reads a stored record; `nil` when it is not one of this format.
  init?(json: JSONValue) {
    guard case .integer(Self.format)? = json["format"],
      let modelID = json["modelID"]?.stringValue, case .bool(let provisional)? = json["provisional"],
      let trackingURI = json["trackingURI"]?.stringValue, let experiment = json["experiment"]?.stringValue,
      let state = json["state"]?.stringValue,
      let policy = json["dirtyVersions"]?.stringValue.flatMap(DirtyVersionPolicy.init(rawValue:)),
      let name = json["name"]?.stringValue, let branch = json["branch"]?.stringValue,
      let commit = json["commit"]?.stringValue, case .bool(let dirty)? = json["dirty"],
      case .integer(let created)? = json["creationTimestamp"], case .object(let members)? = json["tags"]
    else { return nil }
    var tags: [String: String] = [:]
    for member in members {
      guard let value = member.value.stringValue else { return nil }
      tags[member.key] = value
    }
    self.modelID = modelID
    isProvisional = provisional
    self.trackingURI = trackingURI
    experimentKey = experiment
    stateKey = state
    dirtyVersions = policy
    self.name = name
    self.branch = branch
    self.commit = commit
    isDirty = dirty
    repoURL = json["repoURL"]?.stringValue
    creationTimestamp = created
    self.tags = tags
  }
}

extension UndeliveredVersion {
  /// The undelivered versions of `repository` (all its worktrees), oldest first; only those of
  /// `trackingURI` when given.
  package static func all(in repository: GitRepository, trackingURI: String? = nil) -> [UndeliveredVersion] {
    let versions = UndeliveredVersions(stateDirectory: Registration.stateDirectory(of: repository)).all()
    guard let trackingURI else { return versions }
    return versions.filter { $0.trackingURI == trackingURI }
  }

  /// The undelivered version with this model ID, or `nil` (delivered, or never undelivered).
  package static func find(_ modelID: String, in repository: GitRepository) -> UndeliveredVersion? {
    UndeliveredVersions(stateDirectory: Registration.stateDirectory(of: repository)).find(modelID)
  }

  /// The complete diff of a dirty version, byte for byte, with binary files' contents when one
  /// changed (what `mlflow-git diff` prints, ready for `git apply`); `nil` for a clean one.
  package func completeDiff(in repository: GitRepository) -> [UInt8]? {
    guard isDirty else { return nil }
    let folder = UndeliveredVersions(stateDirectory: Registration.stateDirectory(of: repository))
    return folder.patch(of: modelID) ?? folder.diff(of: modelID)
  }
}
