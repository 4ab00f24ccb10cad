import MLflowStore

/// The tag keys a version carries: MLflow's own, and mlflow-git's additions in a namespace of
/// its own (never `mlflow.`).
package enum VersionTagKey {
  package static let branch = "mlflow.source.git.branch"
  package static let commit = "mlflow.source.git.commit"
  package static let dirty = "mlflow.source.git.dirty"
  package static let repoURL = "mlflow.source.git.repoURL"
  package static let diff = "mlflow.source.git.diff"
  package static let sourceName = "mlflow.source.name"
  package static let sourceType = "mlflow.source.type"
  package static let user = "mlflow.user"
  /// SHA-256 (hex) of the complete diff; identifies a dirty version under ``DirtyVersionPolicy/perDiff``.
  package static let diffDigest = "mlflow_git.diff.sha256"
  /// Size of the complete diff in bytes.
  package static let diffSize = "mlflow_git.diff.bytes"
  /// `true` when the diff tag holds only the first part of the diff.
  package static let diffTruncated = "mlflow_git.diff.truncated"
  /// Where the complete diff is stored, relative to the model's artifact location.
  package static let diffArtifact = "mlflow_git.diff.artifact"
}

/// The tags of a version, built as MLflow builds them, with the diff tag kept to a bound.
struct VersionTags {
  /// The name of the complete diff's file in the model's artifact location.
  static let diffArtifactName = "git.diff"

  /// MLflow's git tags: branch, commit, dirty, repoURL (when known); no diff. A model matches a
  /// version when it has these (and no repoURL when the version has none).
  static func identity(of version: GitVersion, policy: DirtyVersionPolicy) -> [String: String] {
    var tags = [
      VersionTagKey.branch: version.branch,
      VersionTagKey.commit: version.commit,
      VersionTagKey.dirty: version.isDirty ? "true" : "false",
    ]
    if let repoURL = version.repoURL { tags[VersionTagKey.repoURL] = repoURL }
    if version.isDirty && policy == .perDiff { tags[VersionTagKey.diffDigest] = version.diffDigest }
    return tags
  }

  /// The diff's tags: the diff text in MLflow's format (whole when it is valid UTF-8 and within
  /// `limit` bytes, else its first part and a marker), the complete diff's digest and size, and
  /// whether it was cut. When a binary file changed, the complete diff (its ``GitVersion/patch``)
  /// is the model artifact, named by the artifact tag, though the text tag is whole.
  static func diff(of version: GitVersion, limit: Int) -> [String: String] {
    guard let diff = version.diff, let complete = version.completeDiff else { return [:] }
    var tags = [
      VersionTagKey.diffDigest: SHA256.hexDigest(complete),
      VersionTagKey.diffSize: String(complete.count),
    ]
    if version.patch != nil { tags[VersionTagKey.diffArtifact] = diffArtifactName }
    if diff.count <= limit, let text = String(validating: diff, as: UTF8.self) {
      tags[VersionTagKey.diff] = text
      return tags
    }
    let marker = "\n\n[mlflow-git: diff of \(diff.count) bytes cut to fit the tag; the complete diff is the "
      + "model artifact '\(diffArtifactName)', SHA-256 \(tags[VersionTagKey.diffDigest]!)]"
    let budget = max(0, limit - marker.utf8.count)
    var head = String(decoding: diff.prefix(budget), as: UTF8.self).droppingPartialCharacter()
    // Invalid bytes decode to U+FFFD (3 bytes each): cut again until the text fits.
    while head.utf8.count > budget { head.removeLast() }
    tags[VersionTagKey.diff] = head + marker
    tags[VersionTagKey.diffTruncated] = "true"
    tags[VersionTagKey.diffArtifact] = diffArtifactName
    return tags
  }

  /// Every tag a newly created version gets.
  static func all(of version: GitVersion, policy: DirtyVersionPolicy, diffLimit: Int, source: String, user: String?)
    -> [String: String]
  {
    var tags = identity(of: version, policy: policy).merging(diff(of: version, limit: diffLimit)) { $1 }
    tags[VersionTagKey.sourceName] = source
    tags[VersionTagKey.sourceType] = "LOCAL"
    if let user { tags[VersionTagKey.user] = user }
    return tags
  }
}

/// How this process tags the versions it creates: the dirty-version policy and diff bound of
/// its options, and who created them (`mlflow.source.name`, `mlflow.user`). A version kept
/// undelivered gets these tags when its ID is assigned, so it enters the store exactly as the
/// registry would have created it then.
struct VersionTagging: Sendable {
  let policy: DirtyVersionPolicy
  let diffTagLimit: Int
  let sourceName: String
  let user: String?

  init(policy: DirtyVersionPolicy, diffTagLimit: Int, sourceName: String, user: String?) {
    self.policy = policy
    self.diffTagLimit = diffTagLimit
    self.sourceName = sourceName
    self.user = user
  }

  init(options: RegistrationSettings, environment: [String: String]) {
    self.init(
      policy: options.dirtyVersions, diffTagLimit: options.maxDiffTagBytes,
      sourceName: options.sourceName ?? SourceMetadata.programName(), user: SourceMetadata.userName(environment))
  }

  /// Every tag a newly created model of `version` gets.
  func tags(for version: GitVersion) -> [String: String] {
    VersionTags.all(of: version, policy: policy, diffLimit: diffTagLimit, source: sourceName, user: user)
  }

  /// The diff tags of `version` (see ``VersionTags/diff(of:limit:)``).
  func diffTags(for version: GitVersion) -> [String: String] {
    VersionTags.diff(of: version, limit: diffTagLimit)
  }
}

extension String {
  /// Drops a trailing U+FFFD that a cut through a multi-byte character produced.
  fileprivate func droppingPartialCharacter() -> String {
    hasSuffix("\u{FFFD}") ? String(dropLast()) : self
  }
}
