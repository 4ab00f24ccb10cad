import GitState
import GitVersioning
import MLflowStore

/// `mlflow-git show [<model>]`: one version's details.
struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show one version's details and tags.",
    discussion: """
      Shows a version (LoggedModel): name, status, experiment, artifact location, creation time
      and every tag. A version not delivered to the store yet shows status UNDELIVERED and the
      tags it will get.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [
      .argument(\.modelID, valueName: "model", help: ModelArgument.help),
      .flag(
        "--json", \.json,
        help: """
          Print one JSON object: modelID, name, experimentID, status, artifactLocation,
          creationTimestamp, tags, undelivered, provisional.
          """),
    ]
  }

  var modelID: String?
  var json = false

  func run() async -> ExitCode {
    do {
      switch try await ModelArgument.load(modelID) {
      case .stored(_, let model):
        Self.show(
          modelID: model.modelID, name: model.name, status: model.status.description,
          experimentID: model.experimentID, location: model.artifactLocation, created: model.creationTimestamp,
          tags: model.tags, undelivered: nil, json: json)
      case .undelivered(_, let version):
        Self.show(
          modelID: version.modelID, name: version.name, status: "UNDELIVERED", experimentID: version.experimentID,
          location: nil, created: version.creationTimestamp, tags: version.tags, undelivered: version,
          json: json)
      }
      return 0
    } catch {
      printError("\(error)")
      return 1
    }
  }

  static func show(
    modelID: String, name: String, status: String, experimentID: String?, location: String?, created: Int64,
    tags: [String: String], undelivered: UndeliveredVersion?, json: Bool
  ) {
    if json {
      print(
        JSONValue.objectText([
          ("modelID", .string(modelID)), ("name", .string(name)),
          ("experimentID", experimentID.map(JSONValue.string) ?? .null), ("status", .string(status)),
          ("artifactLocation", location.map(JSONValue.string) ?? .null), ("creationTimestamp", .int(Int(created))),
          ("tags", .object(tags.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
          ("undelivered", .bool(undelivered != nil)), ("provisional", .bool(undelivered?.isProvisional ?? false)),
        ]))
      return
    }
    print("model     \(modelID)  \(name)  \(status)")
    if let undelivered {
      print(
        "location  not in \(undelivered.trackingURI) yet: "
          + (undelivered.isProvisional
            ? "a provisional ID; the server gives the model its own ID at delivery"
            : "created there with this ID by the next hook, app start or `mlflow-git sync` once it exists"))
    } else {
      print("location  experiment \(experimentID ?? "-")  \(location ?? "-")")
    }
    for (key, value) in tags.sorted(by: { $0.key < $1.key }) where key != VersionTagKey.diff {
      print("  \(key) = \(value)")
    }
    if let diff = tags[VersionTagKey.diff] {
      print("  \(VersionTagKey.diff) = (\(diff.utf8.count) bytes; `mlflow-git diff \(modelID)` prints it)")
    }
  }
}

/// Resolves a command's MODEL argument: a model ID, or the current state's version; found in
/// the store, or among the versions not delivered to it yet.
enum ModelArgument {
  /// The help of a command's `<model>` argument.
  static let help = "A model ID (m-…); without it, the current state's version."

  /// Where the version was found.
  enum Loaded {
    case stored(RepositoryStore, LoggedModel)
    case undelivered(GitRepository, UndeliveredVersion)
  }

  static func load(_ argument: String?) async throws -> Loaded {
    let repository = try GitRepository.discover()
    var modelID: String
    if let argument {
      modelID = argument
    } else {
      modelID = try await VersionResolution.resolve(
        options: .init(indexVerification: .beforeReturning, sourceName: "mlflow-git")
      ).modelID
    }
    // A provisional ID shows the model it was delivered as.
    if let final = ModelIDMapping.finalID(for: modelID, in: repository) { modelID = final }
    if let version = UndeliveredVersion.find(modelID, in: repository) { return .undelivered(repository, version) }
    let opened = try await RepositoryStore.open(options: .init())
    let result: Result<LoggedModel, MLflowStoreError> = await {
      do throws(MLflowStoreError) {
        return .success(try await opened.store.loggedModel(id: modelID))
      } catch {
        return .failure(error)
      }
    }()
    switch result {
    case .success(let model):
      return .stored(opened, model)
    case .failure(let error) where error.code == .modelNotFound:
      throw CommandError("no version \(modelID) in \(opened.trackingURI); `mlflow-git versions` lists them")
    case .failure(let error):
      throw error
    }
  }
}

/// A command failure with a message for the user.
struct CommandError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
