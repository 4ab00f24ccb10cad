import GitVersioning
import MLflowStore

/// `mlflow-git status`: the current version and its model, registering it if needed.
enum StatusCommand {
  static func run(_ arguments: [String]) async -> Int32 {
    var json = false
    for argument in arguments {
      switch argument {
      case "--json": json = true
      case "-h", "--help":
        print("usage: mlflow-git status [--json]\n\nShows the current Git state and the MLflow version (LoggedModel) it maps to,\nregistering the version when the hooks have not.")
        return 0
      default:
        printError("status: unknown option '\(argument)'")
        return 2
      }
    }
    let resolution: VersionResolution
    do {
      resolution = try await VersionResolution.resolve(options: .init(indexVerification: .beforeReturning))
    } catch {
      printError(error.description)
      return 1
    }
    let version = resolution.version
    if json {
      var fields: [(String, JSONField)] = [
        ("branch", .string(version.branch)), ("commit", .string(version.commit)), ("dirty", .bool(version.isDirty)),
        ("repoURL", version.repoURL.map(JSONField.string) ?? .null), ("modelID", .string(resolution.modelID)),
        ("experimentID", resolution.experimentID.map(JSONField.string) ?? .null),
        ("trackingURI", .string(resolution.trackingURI.description)), ("name", .string(version.displayName)),
        ("created", .bool(resolution.created)), ("foundInIndex", .bool(resolution.foundInIndex)),
      ]
      if let digest = version.diffDigest { fields.append(("diffSHA256", .string(digest))) }
      print(JSONField.object(fields))
    } else {
      print("branch   \(version.branch)")
      print("commit   \(version.commit)\(version.isDirty ? " (dirty)" : "")")
      print("remote   \(version.repoURL ?? "-")")
      print("version  \(version.displayName)  \(resolution.modelID)\(resolution.created ? "  (registered now)" : "")")
      print("store    \(resolution.trackingURI)  experiment \(resolution.experimentID ?? "-")")
    }
    return 0
  }
}
