import Foundation
import MLflowStore
import Testing
import TestSupport

@testable import GitVersioning
@testable import MLflowTracing

@Suite("The `///` examples of GitVersioning, MLflowTracing and OpenAIChat are the code the tests run")
struct DocExampleTests {
  @Test("each example AppTests and this target hold is its doc comment's example, character for character")
  func snippetsAreTheComments() throws {
    for file in [
      "Tests/AppTests/DocExampleSnippets.swift", "Tests/AppTests/ChatDocExampleSnippets.swift",
      "Tests/MLflowTracingTests/DocExampleTests.swift",
    ] {
      let mismatches = try DocExamples.mismatches(inTestFile: DocExamples.packageRoot + "/" + file)
      #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n\n"))")
    }
  }

  @Test("every fenced example of the GitVersioning, MLflowTracing and OpenAIChat sources is held by a test", arguments: [
    "GitVersioning", "MLflowTracing", "OpenAIChat",
  ])
  func everyExampleIsChecked(module: String) throws {
    let unchecked = try DocExamples.unchecked(
      inModule: module, testFolders: ["AppTests", "MLflowTracingTests", "GitVersioningTests"])
    #expect(unchecked.isEmpty, "examples no test holds:\n\(unchecked.joined(separator: "\n"))")
  }

  @Test("TraceJournal's example delivers the journaled traces to their store once it exists")
  func traceJournalExample() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let later = scratch.root + "/later"
    let stateDirectory = scratch.root + "/state"
    let modelID = "m-" + String(repeating: "cd", count: 16)
    let context = GitVersioningContext(
      info: nil,
      activeModel: ActiveModel(modelID: modelID, trackingURI: "sqlite:///" + later + "/mlflow.db", experimentID: "0"),
      problem: nil, foundInIndex: true, stateDirectory: stateDirectory)
    let ids = ActiveState.$scoped.withValue(.set(context)) {
      (0..<2).map { (number: Int) in trace("offline-\(number)", inputs: number) { $0.traceID } }
    }
    await flushTraces()
    try FileManager.default.createDirectory(atPath: later, withIntermediateDirectories: true)
    try await MLflowDatabaseTemplate.copy(to: later + "/mlflow.db")

// doc example: Sources/MLflowTracing/TraceJournal.swift
let report = await TraceJournal(directory: stateDirectory + "/traces").deliver()
print("\(report.delivered) delivered, \(report.remaining) still waiting")
// end doc example

    #expect(report.delivered == 2 && report.remaining == 0, "\(report)")
    let store = try SQLiteTrackingStore(databasePath: later + "/mlflow.db", options: .init(createIfMissing: false))
    let linked = try await store.searchTraces(experimentIDs: ["0"], modelID: modelID)
    #expect(Set(linked.traces.map(\.traceID)) == Set(ids))
  }
}
