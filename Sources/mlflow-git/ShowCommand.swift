import GitVersioning
import MLflowStore

/// `mlflow-git show MODEL`: one version's details.
enum ShowCommand {
  static let help = """
    usage: mlflow-git show [MODEL] [--json]

    Shows a version (LoggedModel): name, status, experiment, artifact location, creation time
    and every tag. MODEL is a model ID (m-…); without it, the current state's version.
    """

  static func run(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(arguments, command: "show", help: help, flags: ["--json"])
    guard let parsed else { return code }
    guard parsed.positionals.count <= 1 else {
      printError("show: give one model ID at most\n\n\(help)")
      return 2
    }
    do {
      let (_, model) = try await ModelArgument.load(parsed.positionals.first)
      if parsed.json {
        print(
          JSONValue.objectText([
            ("modelID", .string(model.modelID)), ("name", .string(model.name)),
            ("experimentID", .string(model.experimentID)), ("status", .string(model.status.description)),
            ("artifactLocation", .string(model.artifactLocation)),
            ("creationTimestamp", .int(Int(model.creationTimestamp))),
            ("tags", .object(model.tags.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
          ]))
      } else {
        print("model     \(model.modelID)  \(model.name)  \(model.status)")
        print("location  experiment \(model.experimentID)  \(model.artifactLocation)")
        for (key, value) in model.tags.sorted(by: { $0.key < $1.key }) where key != VersionTagKey.diff {
          print("  \(key) = \(value)")
        }
        if let diff = model.tags[VersionTagKey.diff] {
          print("  \(VersionTagKey.diff) = (\(diff.utf8.count) bytes; `mlflow-git diff \(model.modelID)` prints it)")
        }
      }
      return 0
    } catch {
      printError("\(error)")
      return 1
    }
  }
}

/// Resolves a command's MODEL argument: a model ID, or the current state's version.
enum ModelArgument {
  static func load(_ argument: String?) async throws -> (RepositoryStore, LoggedModel) {
    let opened = try await RepositoryStore.open(options: .init())
    let modelID: String
    if let argument {
      modelID = argument
    } else {
      modelID = try await VersionResolution.resolve(
        options: .init(indexVerification: .beforeReturning, sourceName: "mlflow-git")
      ).modelID
    }
    let result: Result<LoggedModel, MLflowStoreError> = await {
      do throws(MLflowStoreError) {
        return .success(try await opened.store.loggedModel(id: modelID))
      } catch {
        return .failure(error)
      }
    }()
    switch result {
    case .success(let model):
      return (opened, model)
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
