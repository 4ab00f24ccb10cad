import Foundation
import MLflowStore
import Testing
import TestSupport

@Suite("MLflow filter strings")
struct MLflowFilterTests {
  @Test("Tag clauses are joined with AND, in the given order, keys in backticks")
  func format() throws {
    let filter = try MLflowFilter.tagsEqual([
      ("mlflow.source.git.branch", "main"),
      ("mlflow.source.git.commit", "3f0a"),
      ("mlflow.source.git.dirty", "false"),
    ])
    #expect(filter == "tags.`mlflow.source.git.branch` = 'main' AND tags.`mlflow.source.git.commit` = '3f0a' "
      + "AND tags.`mlflow.source.git.dirty` = 'false'")
    #expect(try MLflowFilter.tagsEqual([]) == "")
  }

  @Test("Values MLflow's grammar cannot express are refused, naming the tag")
  func refusals() {
    let cases: [(String, String)] = [
      ("mlflow.source.git.branch", "feat/it's"),
      ("mlflow.source.git.repoURL", "C:\\repos\\"),
      ("bad`key", "x"),
      ("", "x"),
    ]
    for (key, value) in cases {
      let error = #expect(throws: MLflowStoreError.self) { try MLflowFilter.tagsEqual([(key, value)]) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.contains("'\(key)'") == true)
    }
  }

  @Test("Python MLflow parses every filter we produce back into the same tags")
  func pythonParsesOurFilters() async throws {
    let values = ["main", "feat/x y", "é ü 日本", "say \"hi\"", "a AND b", "back\\slash inside", "", "100%_like"]
    let filters = try values.map { try MLflowFilter.tagsEqual([("mlflow.source.git.branch", $0), ("k", "v")]) }
    let directory = try TemporaryDirectory()
    let results = try await ReferenceMLflow.runOracle(
      filters.map { ["op": "parse_filter", "filter": $0] }, databasePath: directory.appending("unused.db"))
    for (value, result) in zip(values, results) {
      let parsed = result as? [[String]]
      #expect(parsed == [["mlflow.source.git.branch", "=", value], ["k", "=", "v"]], "\(value): \(result)")
    }
  }
}
