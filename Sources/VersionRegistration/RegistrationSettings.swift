/// How versions are registered: what the runtime's `GitVersioningOptions` (or the CLI) says
/// about the environment, dirty versions and tags.
package struct RegistrationSettings: Sendable {
  /// Where to look for the repository; `nil` means the current directory.
  package var directory: String?
  /// The environment to read; `nil` means this process's.
  package var environment: [String: String]?
  /// One version per distinct diff, or MLflow's one dirty version per commit.
  package var dirtyVersions: DirtyVersionPolicy
  /// Paths kept out of the recorded diff.
  package var diffExclusions: [String]
  /// The most bytes the `mlflow.source.git.diff` tag holds.
  package var maxDiffTagBytes: Int
  /// The `mlflow.source.name` tag of versions this process creates; `nil` means this program's name.
  package var sourceName: String?

  package init(
    directory: String? = nil, environment: [String: String]? = nil, dirtyVersions: DirtyVersionPolicy = .perDiff,
    diffExclusions: [String] = [], maxDiffTagBytes: Int = 65_000, sourceName: String? = nil
  ) {
    self.directory = directory
    self.environment = environment
    self.dirtyVersions = dirtyVersions
    self.diffExclusions = diffExclusions
    self.maxDiffTagBytes = maxDiffTagBytes
    self.sourceName = sourceName
  }
}
