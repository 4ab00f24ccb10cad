import Foundation
import GitVersioning
import Testing
import TestSupport

@testable import VersionComparison

/// The `///` examples of VersionComparison, verbatim (between `doc example` and `end doc example`
/// lines, at the left margin as the comments show them), run on a real repository and store.
@Suite("The `///` examples of VersionComparison run, and are their comments' text")
struct DocExampleTests {
  @Test("the examples this file holds are their comments' text, and every example of VersionComparison is held by a test")
  func examplesAreTheComments() throws {
    let problems = try DocExamples.problems(testFiles: [#filePath], modules: ["VersionComparison"], testFolders: ["VersionComparisonTests"])
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))")
  }

  @Test("the comparison example compares the merge base with the work tree; each report example writes its report")
  func comparisonExamples() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository("app")
    try await MLflowDatabaseTemplate.copy(to: repo + "/mlflow.db")
    try scratch.git(["-C", repo, "checkout", "-q", "-b", "feature"])
    try scratch.write("def app():\n    return \"v2\"\n", to: repo + "/app.py")
    var environment = scratch.environment
    environment["MLFLOW_GIT_QUIET"] = "1"
    let options = GitVersioningOptions(directory: repo, environment: environment, indexVerification: .never)
    let main = try scratch.git(["-C", repo, "rev-parse", "--short=7", "main"])

    var printed: [String] = []
    func print(_ items: Any..., terminator: String = "\n") {
      printed.append(items.map { "\($0)" }.joined(separator: " ") + terminator)
    }
// doc example: Sources/VersionComparison/VersionComparison.swift
let comparison = try await VersionComparison.make(a: .mergeBase, b: .currentState, options: options)
print(TerminalReport(comparison).text)
// end doc example
    #expect(comparison.a.name == "main-" + main && comparison.b.name.hasPrefix("feature-\(main)-dirty-"))
    #expect(comparison.storeProblem == nil)
    #expect(printed == [TerminalReport(comparison).text + "\n"] && printed[0].contains("main-" + main))

    printed = []
// doc example: Sources/VersionComparison/TerminalReport.swift
print(TerminalReport(comparison, color: isatty(STDOUT_FILENO) == 1).text, terminator: "")
// end doc example
    #expect(printed.count == 1 && printed[0].contains(comparison.b.name))

    printed = []
// doc example: Sources/VersionComparison/JSONReport.swift
print(JSONReport(comparison).text)
// end doc example
    let json = try #require(try JSONSerialization.jsonObject(with: Data(printed.joined().utf8)) as? [String: Any])
    #expect(json.keys.contains("a") && json.keys.contains("b"), "\(json.keys)")

    let reportFolder = scratch.root + "/reports"
    try FileManager.default.createDirectory(atPath: reportFolder, withIntermediateDirectories: true)
// doc example: Sources/VersionComparison/HTMLReport.swift
try HTMLReport(comparison).text.write(toFile: reportFolder + "/compare.html", atomically: false, encoding: .utf8)
// end doc example
// doc example: Sources/VersionComparison/MarkdownReport.swift
try MarkdownReport(comparison).text.write(toFile: reportFolder + "/compare.md", atomically: false, encoding: .utf8)
// end doc example
    let html = try String(contentsOfFile: reportFolder + "/compare.html", encoding: .utf8)
    let markdown = try String(contentsOfFile: reportFolder + "/compare.md", encoding: .utf8)
    #expect(html.contains("<svg") || html.contains("<html"), "an HTML page")
    #expect(html.contains("main-" + main) && markdown.contains("main-" + main))
  }

  @Test("the time examples give a week before now, and the UTC midnight the comment shows")
  func timeExamples() {
    let nowMillis = Int64(Date().timeIntervalSince1970 * 1000)
// doc example: Sources/VersionComparison/TraceWindow+Parsing.swift
let weekAgo = TraceWindow.time(from: "7d", now: nowMillis)
let november = TraceWindow.time(from: "2026-11-01T00:00Z", now: 0)     // 1_793_491_200_000
// end doc example
    #expect(weekAgo == nowMillis - 7 * 86_400_000)
    #expect(november == 1_793_491_200_000)
  }
}
