import Foundation
import MLflowStore
import Testing
import TestSupport

@testable import GitVersioning
@testable import MLflowTracing

@Suite("The `///` examples of GitVersioning, MLflowTracing and OpenAIChat are the code the tests run")
struct DocExampleTests {
  @Test("the examples AppTests and this file hold are their comments' text, and every example of GitVersioning, MLflowTracing and OpenAIChat is held by a test")
  func examplesAreTheComments() throws {
    let snippets = ["AppTests/DocExampleSnippets.swift", "AppTests/ChatDocExampleSnippets.swift"]
    let problems = try DocExamples.problems(
      testFiles: [#filePath] + snippets.map { DocExamples.packageRoot + "/Tests/" + $0 },
      modules: ["GitVersioning", "MLflowTracing", "OpenAIChat"],
      testFolders: ["AppTests", "MLflowTracingTests", "VersionRegistrationTests"])
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))")
  }

  @Test("TraceJournal's example delivers the journaled traces to their store once it exists")
  func traceJournalExample() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let later = scratch.root + "/later"
    let stateDirectory = scratch.root + "/state"
    let modelID = "m-" + String(repeating: "cd", count: 16)
    let ids = TraceJournalTests.traces(2, linkedTo: modelID, storedIn: later, stateDirectory: stateDirectory)
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
