import CSourceVersion

/// The version `mlflow-git --version` prints: the source version install.sh computed and built
/// with (the name of the folder it installs the build in), or `dev` for a build it did not stamp.
enum SourceVersion {
  /// install.sh's source version, or `nil` for a plain `swift build`.
  static let stamped: String? = {
    let version = String(cString: mlflow_git_source_version())
    return version.isEmpty ? nil : version
  }()

  /// `mlflow-git 1a2b3c4d5e6f7a8b`, or `mlflow-git dev (…)` for an unstamped build.
  static var description: String {
    if let stamped { return "mlflow-git \(stamped)" }
    return "mlflow-git dev (built without install.sh, which stamps the source version)"
  }
}
