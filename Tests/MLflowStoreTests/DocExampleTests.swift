import Foundation
import MLflowServerStore
import Testing
import TestSupport

@testable import MLflowStore

/// The `///` examples of MLflowStore and MLflowServerStore, verbatim (between `doc example` and
/// `end doc example` lines, at the left margin as the comments show them), run against stores on
/// copies of the database MLflow itself created, and a real `mlflow server`.
@Suite("The `///` examples of MLflowStore and MLflowServerStore run, and are their comments' text")
struct DocExampleTests {
  @Test("the examples this file holds are their comments' text, and every example of MLflowStore and MLflowServerStore is held by a test")
  func examplesAreTheComments() throws {
    let problems = try DocExamples.problems(testFiles: [#filePath], modules: ["MLflowStore", "MLflowServerStore"], testFolders: ["MLflowStoreTests"])
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))")
  }

  static let gitTags = ["mlflow.source.git.branch": "main", "mlflow.source.git.commit": String(repeating: "9", count: 40)]

  @Test("the model examples create one model, and the searches find it")
  func modelExamples() async throws {
    let directory = try TemporaryDirectory("doc-examples")
    defer { withExtendedLifetime(directory) {} }
    let databasePath = try await MLflowDatabaseTemplate.copy(into: directory)
    let gitTags = Self.gitTags
    let created = try await findOrCreate(databasePath: databasePath, gitTags: gitTags)
    #expect(created?.tags["mlflow.source.git.commit"] == gitTags["mlflow.source.git.commit"])
    #expect(try await findOrCreate(databasePath: databasePath, gitTags: gitTags)?.modelID == created?.modelID)

    let store = try SQLiteTrackingStore(databasePath: databasePath)
// doc example: Sources/MLflowStore/Entities/LoggedModelSearch.swift
var search = LoggedModelSearch(experimentIDs: ["0"], tags: gitTags)
search.selectiveTagKey = "mlflow.source.git.commit"
search.maxResults = 1
let newest = try await store.searchLoggedModels(search).models.first
// end doc example
    #expect(newest?.modelID == created?.modelID)

    let commit = String(repeating: "4", count: 40)
    let made = try await createExample(databasePath: databasePath, commit: commit)
    #expect(made.status == .pending && made.name == "main-917a4c6")
    #expect(try await store.loggedModel(id: made.modelID).tags["mlflow.source.git.commit"] == commit)

    do {
// doc example: Sources/MLflowStore/SQLite/SQLiteTrackingStore.swift
let store = try SQLiteTrackingStore(databasePath: databasePath)
let model = try await store.createLoggedModel(
  experimentID: "0", name: "main-917a4c6", tags: ["mlflow.source.git.branch": "main"])
let found = try await store.searchLoggedModels(
  LoggedModelSearch(experimentIDs: ["0"], tags: ["mlflow.source.git.branch": "main"]))
// end doc example
      let newestFirst: [String?] = [model.modelID, made.modelID, created?.modelID]
      #expect(found.models.map { $0.modelID } == newestFirst.compactMap { $0 })
    }
  }

  /// TrackingStore's example: the model it found or created.
  func findOrCreate(databasePath: String, gitTags: [String: String]) async throws -> LoggedModel? {
// doc example: Sources/MLflowStore/TrackingStore.swift
let store: any TrackingStore = try SQLiteTrackingStore(databasePath: databasePath)
let experiment = try await ExperimentSelection.resolve(in: store)
let page = try await store.searchLoggedModels(
  LoggedModelSearch(experimentIDs: [experiment.experimentID], tags: gitTags, maxResults: 1))
var model = page.models.first
if model == nil {
  model = try await store.createLoggedModel(experimentID: experiment.experimentID, name: nil, tags: gitTags)
}
// end doc example
    return model
  }

  /// LoggedModel's example: the model it created.
  func createExample(databasePath: String, commit: String) async throws -> LoggedModel {
// doc example: Sources/MLflowStore/Entities/LoggedModel.swift
let store = try SQLiteTrackingStore(databasePath: databasePath)
let model = try await store.createLoggedModel(
  experimentID: "0",
  name: "main-917a4c6",
  tags: ["mlflow.source.git.branch": "main", "mlflow.source.git.commit": commit])
print(model.modelID, model.status)   // m-4f0c…  PENDING
// end doc example
    return model
  }

  @Test("the experiment, tracking URI and store-error examples pick the default experiment and the repository's database")
  func selectionExamples() async throws {
    let directory = try TemporaryDirectory("doc-examples")
    defer { withExtendedLifetime(directory) {} }
    let repositoryRoot = directory.path
    let databasePath = try await MLflowDatabaseTemplate.copy(into: directory)
    #expect(try await storeErrorExample(databasePath: directory.path + "/missing/mlflow.db") == "no database")

// doc example: Sources/MLflowServerStore/TrackingStores.swift
let uri = try TrackingURI.resolve(defaultDirectory: repositoryRoot)
let store = try await TrackingStores.open(uri)
let experiment = try await ExperimentSelection.resolve(in: store)
// end doc example
    if ProcessInfo.processInfo.environment["MLFLOW_TRACKING_URI"] == nil {
      #expect(uri == .sqlite(path: databasePath))
    }
    #expect(experiment.experimentID == "0" || ProcessInfo.processInfo.environment["MLFLOW_EXPERIMENT_NAME"] != nil)

    struct Repository { var workTree: String }
    let repository = Repository(workTree: repositoryRoot)
    let gitConfigTrackingURI: String? = "sqlite:///" + databasePath
    var printed: [String] = []
    func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }
    do {
// doc example: Sources/MLflowStore/TrackingURI.swift
let uri = try TrackingURI.resolve(
  repositorySetting: gitConfigTrackingURI,      // e.g. from `git config mlflow.trackingUri`
  repositorySettingName: "git config mlflow.trackingUri",
  defaultDirectory: repository.workTree)
if case .sqlite(let path) = uri {
  let store = try SQLiteTrackingStore(databasePath: path)
  print("models and traces in", store.databasePath)
}
// end doc example
      if ProcessInfo.processInfo.environment["MLFLOW_TRACKING_URI"] == nil {
        #expect(uri == .sqlite(path: databasePath), "the git config setting, opened")
        #expect(printed == ["models and traces in \(databasePath)"])
      }
    }

    let chosen = try await experimentExample(store: try SQLiteTrackingStore(databasePath: databasePath))
    #expect(chosen.experimentID == "0" || ProcessInfo.processInfo.environment["MLFLOW_EXPERIMENT_NAME"] != nil)
  }

  /// ExperimentSelection's example.
  func experimentExample(store: SQLiteTrackingStore) async throws -> Experiment {
// doc example: Sources/MLflowStore/ExperimentSelection.swift
let experiment = try await ExperimentSelection.resolve(in: store)
print(experiment.experimentID, experiment.name)   // 0 Default
// end doc example
    return experiment
  }

  /// MLflowStoreError's example: what it found at `databasePath`.
  func storeErrorExample(databasePath: String) async throws -> String {
    let modelID = "m-" + String(repeating: "0", count: 32)
    var outcome = "a model"
    func print(_ items: Any...) { outcome = "no database" }
// doc example: Sources/MLflowStore/MLflowStoreError.swift
do {
  let store = try SQLiteTrackingStore(databasePath: databasePath, options: .init(createIfMissing: false))
  _ = try await store.loggedModel(id: modelID)
} catch let error where error.code == .storeNotCreated {
  print("no MLflow database yet:", error)
}
// end doc example
    return outcome
  }

  @Test("the trace examples log a trace MLflow's store keeps, and the statistics examples count it")
  func traceExamples() async throws {
    let directory = try TemporaryDirectory("doc-examples")
    defer { withExtendedLifetime(directory) {} }
    let store = try await MLflowDatabaseTemplate.store(in: directory)
    let model = try await store.createLoggedModel(experimentID: "0", name: "main-917a4c6", tags: Self.gitTags)
    let nowMillis = Int64(Date().timeIntervalSince1970 * 1000)
    let start = nowMillis * 1_000_000
    let end = start + 120_000_000

// doc example: Sources/MLflowStore/Entities/TraceInfo.swift
var info = TraceInfo(traceID: TraceInfo.newTraceID(), experimentID: "0", requestTime: nowMillis)
info.metadata[TraceInfo.modelIDKey] = model.modelID
info.requestPreview = #"{"question": "What is MLflow?"}"#
// end doc example
    info.executionDuration = 120
    info.state = .ok
    let traceID = info.traceID
// doc example: Sources/MLflowStore/Entities/Span.swift
let root = Span(
  traceID: traceID, spanID: Span.newSpanID(), name: "my_app", type: .chain,
  startTime: start, endTime: end,
  inputs: #"{"q": "What is MLflow?"}"#, outputs: JSONText.string("hi"))
// end doc example
    let child = Span(
      traceID: traceID, spanID: Span.newSpanID(), parentSpanID: root.spanID, name: "llm", type: .chatModel,
      startTime: start, endTime: end)
// doc example: Sources/MLflowStore/Entities/Trace.swift
let trace = Trace(info: info, spans: [root, child])
let stored = try await store.logTrace(trace)
print(stored.tags["mlflow.artifactLocation"]!)
// end doc example
    let read = try await store.trace(id: traceID)
    #expect(read.spans.map(\.name).sorted() == ["llm", "my_app"])
    #expect(read.info.metadata[TraceInfo.modelIDKey] == model.modelID)

    let id = model.modelID
// doc example: Sources/MLflowStore/TraceStatistics/TraceStatistics.swift
let statistics = try await store.traceStatistics(TraceStatisticsQuery(experimentID: "0", modelID: id))
print(statistics.all.traces, statistics.all.errorRate ?? 0, statistics.all.latency.percentile(95) ?? 0)
for (name, feedback) in statistics.assessments { print(name, feedback.mean ?? 0, feedback.count) }
// end doc example
    #expect(statistics.all.traces == 1 && statistics.all.errorRate == 0)
    #expect(statistics.all.latency.maximum == 120)

// doc example: Sources/MLflowStore/TraceStatistics/TraceStatistics.swift
let week = TraceStatisticsQuery(experimentID: "0", modelID: model.modelID, since: nowMillis - 7 * 86_400_000)
// end doc example
    #expect(try await store.traceStatistics(week).all.traces == 1)
    let empty = TraceStatisticsQuery(experimentID: "0", modelID: id, since: nowMillis + 86_400_000)
    #expect(try await store.traceStatistics(empty).all.traces == 0)

    let page = try await store.searchTraces(experimentIDs: ["0"], modelID: id)
    do {
// doc example: Sources/MLflowStore/TraceStatistics/TraceStatisticsBuilder.swift
var builder = TraceStatisticsBuilder()
for info in page.traces { builder.add(info, assessments: []) }
let statistics = builder.statistics
// end doc example
      #expect(statistics.all.traces == 1 && statistics.all.latency.maximum == 120)
    }

    let other = try await store.createLoggedModel(experimentID: "0", name: "main-0000000", tags: [:])
    var difference: Int?
    try await compareExample(store: store, base: other.modelID, head: id) { difference = $0 }
    #expect(difference == 1)
  }

  /// TraceStatisticsStore's example: the difference in trace counts it printed.
  func compareExample(store: any TrackingStore, base: String, head: String, record: (Int) -> Void) async throws {
    func print(_ value: Int) { record(value) }
// doc example: Sources/MLflowStore/TraceStatistics/TraceStatisticsStore.swift
guard let source = store as? any TraceStatisticsStore else { return }
let both = try await source.traceStatistics([
  TraceStatisticsQuery(experimentID: "0", modelID: base), TraceStatisticsQuery(experimentID: "0", modelID: head),
])
print(both[1].all.traces - both[0].all.traces)
// end doc example
  }

  @Test("the change-stamp example records a model read from the state its stamp names, and sees a write change it")
  func changeStampExample() async throws {
    let directory = try TemporaryDirectory("doc-examples")
    defer { withExtendedLifetime(directory) {} }
    let path = try await MLflowDatabaseTemplate.copy(into: directory)
    let store = try SQLiteTrackingStore(databasePath: path)
    let modelID = try await store.createLoggedModel(experimentID: "0", name: nil, tags: [:]).modelID
    var recorded: (text: String, model: LoggedModel)?
    func record(_ text: String, _ model: LoggedModel) { recorded = (text, model) }
    let unchanged = try await stampExample(path: path, store: store, modelID: modelID, record: record)
    #expect(unchanged, "nothing was written since the stamp")
    #expect(recorded?.model.modelID == modelID)
    try await store.setLoggedModelTags(id: modelID, tags: ["k": "v"])
    #expect(SQLiteChangeStamp.read(databasePath: path)?.text != recorded?.text, "a commit changes the stamp")
  }

  /// SQLiteChangeStamp's example: whether the stamp it recorded still holds.
  func stampExample(
    path: String, store: SQLiteTrackingStore, modelID: String, record: (String, LoggedModel) -> Void
  ) async throws -> Bool {
    let recordedText = SQLiteChangeStamp.read(databasePath: path)?.text
// doc example: Sources/MLflowStore/SQLite/SQLiteChangeStamp.swift
let before = SQLiteChangeStamp.read(databasePath: path)
let model = try await store.loggedModel(id: modelID)
if let before, SQLiteChangeStamp.read(databasePath: path) == before {
  record(before.text, model)  // `model` was read from the state `before` names
}
// Later: the same stamp means the same committed content, without opening SQLite.
let unchanged = SQLiteChangeStamp.read(databasePath: path)?.text == recordedText
// end doc example
    return unchanged
  }

  @Test("the value examples give the results their comments show")
  func valueExamples() throws {
// doc example: Sources/MLflowStore/MLflowFilter.swift
let filter = try MLflowFilter.tagsEqual([
  ("mlflow.source.git.branch", "main"),
  ("mlflow.source.git.dirty", "false"),
])
// tags.`mlflow.source.git.branch` = 'main' AND tags.`mlflow.source.git.dirty` = 'false'
// end doc example
    #expect(filter == "tags.`mlflow.source.git.branch` = 'main' AND tags.`mlflow.source.git.dirty` = 'false'")

// doc example: Sources/MLflowStore/TraceStatistics/AssessmentValue.swift
let passed = AssessmentValue.aggregate(.bool(true))        // 1.0
let rated = AssessmentValue.aggregate(.string(" Yes "))   // 1.0 (a judge's categorical rating)
let other = AssessmentValue.aggregate(.string("great"))   // nil
// end doc example
    #expect(passed == 1.0 && rated == 1.0 && other == nil)

    var printed = ""
    func print(_ items: Any...) { printed = items.map { "\($0)" }.joined(separator: " ") }
// doc example: Sources/MLflowStore/TraceStatistics/LatencyDistribution.swift
let latency = LatencyDistribution(counts: [120: 3, 480: 1])
print(latency.percentile(50)!, latency.maximum!)   // 120.0 480
// end doc example
    #expect(printed == "120.0 480")

// doc example: Sources/MLflowStore/JSON/JSONText.swift
let type = JSONText.string("CHAT_MODEL")        // "\"CHAT_MODEL\""
let valid = JSONText.isValid(#"{"q": "hi"}"#)    // true
// end doc example
    #expect(type == "\"CHAT_MODEL\"" && valid)

// doc example: Sources/MLflowStore/JSON/PythonJSONWriter.swift
var writer = PythonJSONWriter(capacity: 256)
writer.raw("{")
writer.string("name")
writer.raw(": ")
writer.integer(42)
writer.raw("}")
let text = String(decoding: writer.bytes, as: UTF8.self)  // {"name": 42}
// end doc example
    #expect(text == #"{"name": 42}"#)

    let environment = ["USER": "ada"]
// doc example: Sources/MLflowStore/SourceMetadata.swift
let tags = ["mlflow.source.name": SourceMetadata.programName(), "mlflow.user": SourceMetadata.userName(environment) ?? ""]
// end doc example
    #expect(tags["mlflow.user"] == "ada")
    #expect(tags["mlflow.source.name"] == CommandLine.arguments.first?.split(separator: "/").last.map(String.init))
  }

  @Test("the server-store examples configure stores, and find or create a model on a real mlflow server")
  func serverExamples() async throws {
    let server = try await MLflowServer.sqlite.value
    let serverURL = server.url
    let gitTags = ["mlflow.source.git.commit": UUID().uuidString]
// doc example: Sources/MLflowServerStore/RESTTrackingStore.swift
let store = try RESTTrackingStore(serverURL: serverURL, environment: ProcessInfo.processInfo.environment)
let experiment = try await ExperimentSelection.resolve(in: store)
let found = try await store.searchLoggedModels(
  LoggedModelSearch(experimentIDs: [experiment.experimentID], tags: gitTags, maxResults: 1))
var model = found.models.first
if model == nil {
  model = try await store.createLoggedModel(experimentID: experiment.experimentID, name: nil, tags: gitTags)
}
// end doc example
    let again = try await store.searchLoggedModels(LoggedModelSearch(experimentIDs: [experiment.experimentID], tags: gitTags))
    #expect(model != nil && again.models.map(\.modelID) == [model?.modelID])

    let retried = try configurationExample()
    #expect(retried.configuration.maxRetries == 2 && retried.store.serverURL == "http://127.0.0.1:5000")
    let password = "s3cret-\(getpid())"
    let authenticated = try credentialsExample(password: password)
    #expect(authenticated.configuration.credentials == .basic(username: "admin", password: password))
    #expect(!authenticated.store.serverURL.contains(password))
  }

  /// RESTTrackingStore.Configuration's example, on `serverURL`.
  func configurationExample() throws -> (configuration: RESTTrackingStore.Configuration, store: RESTTrackingStore) {
// doc example: Sources/MLflowServerStore/RESTTrackingStore+Configuration.swift
var configuration = try RESTTrackingStore.Configuration(environment: ProcessInfo.processInfo.environment)
configuration.maxRetries = 2
let store = try RESTTrackingStore(serverURL: "http://127.0.0.1:5000", configuration: configuration)
// end doc example
    return (configuration, store)
  }

  /// ServerCredentials' example (the store it makes talks to no one until asked).
  func credentialsExample(password: String) throws -> (configuration: RESTTrackingStore.Configuration, store: RESTTrackingStore) {
// doc example: Sources/MLflowServerStore/ServerCredentials.swift
var configuration = RESTTrackingStore.Configuration()
configuration.credentials = .basic(username: "admin", password: password)
let store = try RESTTrackingStore(serverURL: "https://mlflow.example.com", configuration: configuration)
// end doc example
    return (configuration, store)
  }
}
