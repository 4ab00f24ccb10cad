import GitHooks
import GitState
import GitVersioning
import MLflowStore

/// `mlflow-git status`: the current version and its model, registering it if needed.
struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show the current Git state and its MLflow version, registering it if needed.",
    discussion: """
      Shows the current Git state (branch, commit, dirty, remote) and the MLflow version
      (LoggedModel) that stands for it, registering the version when the hooks have not.
      The model found in the local index is checked against the store; the check is skipped
      while mlflow.db is unchanged since the last check, by SQLite's file change counter.

      When the store is absent (no mlflow.db and no `mlflow` to create it, or a tracking server
      down), the version gets its model ID anyway and is kept undelivered in .git/mlflow-git
      until the store is there; versions kept so are delivered first when it is.

      When a hook manager has removed mlflow-git's hooks since install, says so in one line on
      standard error.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [
      .flag(
        "--json", \.json,
        help: """
          Print one JSON object: branch, commit, dirty, repoURL, modelID, name, experimentID,
          trackingURI, created, foundInIndex, undelivered (not in the store yet), provisional (a
          tracking server will give the model another ID at delivery), diffSHA256 (dirty only).
          """),
      .option("--remote", \.remote, valueName: "name", help: "The Git remote whose URL is the version's repoURL."),
    ]
  }

  var json = false
  var remote = "origin"

  func run() async -> ExitCode {
    let resolution: VersionResolution
    do {
      resolution = try await VersionResolution.resolve(
        remoteName: remote,
        options: .init(indexVerification: .beforeReturning, sourceName: "mlflow-git"))
    } catch {
      printError(error.description)
      return 1
    }
    if let notice = HookPresence.notice(commonDirectory: resolution.repository.commonDirectory) {
      printError("warning: " + notice)
    }
    let version = resolution.version
    if json {
      var fields: [(key: String, value: JSONValue)] = [
        ("branch", .string(version.branch)), ("commit", .string(version.commit)), ("dirty", .bool(version.isDirty)),
        ("repoURL", version.repoURL.map(JSONValue.string) ?? .null), ("modelID", .string(resolution.modelID)),
        ("name", .string(version.displayName)),
        ("experimentID", resolution.experimentID.map(JSONValue.string) ?? .null),
        ("trackingURI", .string(resolution.trackingURI.description)),
        ("created", .bool(resolution.created)), ("foundInIndex", .bool(resolution.foundInIndex)),
        ("undelivered", .bool(!resolution.isDelivered)), ("provisional", .bool(resolution.isProvisional)),
      ]
      if let digest = version.diffDigest { fields.append(("diffSHA256", .string(digest))) }
      print(JSONValue.objectText(fields))
    } else {
      print("branch   \(version.branch)")
      print("commit   \(version.commit)\(version.isDirty ? " (dirty)" : "")")
      print("remote   \(version.repoURL ?? "-")")
      let note =
        if !resolution.isDelivered {
          resolution.isProvisional
            ? "  (undelivered, provisional ID: the server gives the model its own ID at delivery)"
            : "  (undelivered: created in the store with this ID once it exists; `mlflow-git sync`)"
        } else {
          resolution.created ? "  (registered now)" : ""
        }
      print("version  \(version.displayName)  \(resolution.modelID)\(note)")
      print("store    \(resolution.trackingURI)  experiment \(resolution.experimentID ?? "-")")
    }
    return 0
  }
}
