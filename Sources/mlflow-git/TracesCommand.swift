import GitVersioning
import MLflowStore

/// `mlflow-git traces [MODEL]`: traces linked to a version.
enum TracesCommand {
  static let help = """
    usage: mlflow-git traces [MODEL] [--json] [--limit N]

    Lists the traces linked to a version (trace metadata mlflow.modelId), newest first: trace
    ID, state, time, duration and request preview. Without MODEL, the current state's version.
    """

  static func run(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(arguments, command: "traces", help: help, flags: ["--json"], options: ["--limit"])
    guard let parsed else { return code }
    guard let limit = Int(parsed.options["--limit"] ?? "100"), limit > 0 else {
      printError("traces: --limit takes a positive number")
      return 2
    }
    do {
      let opened: RepositoryStore
      let model: LoggedModel
      switch try await ModelArgument.load(parsed.positionals.first) {
      case .stored(let store, let found):
        (opened, model) = (store, found)
      case .undelivered(_, let version):
        if parsed.json {
          print("[]")
        } else {
          print("no traces in the store for \(version.modelID) (\(version.name)): the version is not delivered yet")
        }
        return 0
      }
      let page = try await opened.store.searchTraces(
        experimentIDs: [model.experimentID], modelID: model.modelID, maxResults: limit, pageToken: nil)
      if parsed.json {
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
