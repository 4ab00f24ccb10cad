import GitVersioning
import MLflowStore

/// `mlflow-git traces [<model>]`: traces linked to a version.
struct TracesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "traces",
    abstract: "List the traces linked to a version, newest first.",
    discussion: """
      Lists the traces linked to a version (trace metadata mlflow.modelId), newest first: trace
      ID, state, time, duration and request preview.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [
      .argument(\.modelID, valueName: "model", help: ModelArgument.help),
      .flag(
        "--json", \.json,
        help: "Print a JSON array of objects: traceID, state, requestTime, executionDuration, requestPreview."),
      .option("--limit", \.limit, valueName: "n", help: "List at most this many traces."),
    ]
  }

  var modelID: String?
  var json = false
  var limit = 100

  func validate() throws(ValidationError) {
    guard limit > 0 else { throw ValidationError("--limit takes a positive number, not \(limit)") }
  }

  func run() async -> ExitCode {
    do {
      let opened: RepositoryStore
      let model: LoggedModel
      switch try await ModelArgument.load(modelID) {
      case .stored(let store, let found):
        (opened, model) = (store, found)
      case .undelivered(_, let version):
        if json {
          print("[]")
        } else {
          print("no traces in the store for \(version.modelID) (\(version.name)): the version is not delivered yet")
        }
        return 0
      }
      let page = try await opened.store.searchTraces(
        experimentIDs: [model.experimentID], modelID: model.modelID, maxResults: limit, pageToken: nil)
      if json {
        print(
          JSONValue.array(
            page.traces.map { trace in
              JSONValue.object([
                ("traceID", .string(trace.traceID)), ("state", .string(trace.state.description)),
                ("requestTime", .int(Int(trace.requestTime))), ("executionDuration", trace.executionDuration.map { JSONValue.int(Int($0)) } ?? .null),
                ("requestPreview", trace.requestPreview.map(JSONValue.string) ?? .null),
              ])
            }
          ).pythonJSON)
      } else if page.traces.isEmpty {
        print("no traces linked to \(model.modelID) (\(model.name)) yet")
      } else {
        for trace in page.traces {
          print(
            "\(trace.traceID)  \(trace.state)  \(trace.executionDuration.map { "\($0) ms" } ?? "-")  "
              + "\((trace.requestPreview ?? "").prefix(60))")
        }
      }
      return 0
    } catch {
      printError("\(error)")
      return 1
    }
  }
}
