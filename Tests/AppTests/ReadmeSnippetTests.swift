import Foundation
import GitVersioning
import MLflowTracing
import Testing

@Suite("The README's Swift snippets, as an app that links only the library products")
struct ReadmeSnippetTests {
  @Test("every snippet in ReadmeSnippets.swift is in README.md character for character, with its import line")
  func snippetsAreTheReadmes() throws {
    let readme = try String(contentsOfFile: Self.packageRoot + "/README.md", encoding: .utf8)
    let snippets = try Self.snippets(in: String(contentsOfFile: Self.sourcePath, encoding: .utf8))
    #expect(snippets.count == 2, "the Swift apps and Tracing snippets")
    for snippet in snippets {
      let inReadme = readme.contains(snippet)
      #expect(inReadme, "README.md has no fenced block reading:\n\(snippet)")
    }
  }

  @Test("the Tracing snippet runs in a version's scope: a nested trace linked to the version, found by searchTraces()")
  func tracingSnippetRuns() async throws {
    let repository = try await ScratchRepository()
    defer { repository.remove() }
    let options = GitVersioningOptions(
      directory: repository.path, environment: repository.environment, indexVerification: .never)
    let (modelID, answer, linked) = try await withGitModelVersioning(options: options) { context in
      let modelID = try #require(context.activeModel?.modelID, "versioning is on: \(String(describing: context.problem))")
      let (answer, linked) = try await tracingSnippet(
        question: "What is MLflow?", template: PromptTemplate(), client: CannedChat())
      return (modelID, answer, linked)
    }
    #expect(modelID.hasPrefix("m-"))
    #expect(answer == "A platform for the ML lifecycle.")
    #expect(linked == 1, "the snippet's one trace, linked to the version")
  }

  /// This file's folder's sibling ReadmeSnippets.swift.
  static let sourcePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/ReadmeSnippets.swift"
  /// The package's root, two folders up from this file.
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  /// The README blocks the marked snippets of `source` stand for: the fence, the import line,
  /// a blank line, the snippet, the closing fence.
  static func snippets(in source: String) throws -> [String] {
    var snippets: [String] = []
    var current: [Substring]?
    for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("// README begin: ") {
        current = ["```swift", line.dropFirst("// README begin: ".count), ""]
      } else if line == "// README end" {
        let lines = try #require(current, "a README end with no begin")
        snippets.append((lines + ["```", ""]).joined(separator: "\n"))
        current = nil
      } else if current != nil {
        current?.append(line)
      }
    }
    #expect(current == nil, "a README begin with no end")
    return snippets
  }
}

/// A scratch Git repository with one commit, whose versions and traces go to an `mlflow.db`
/// MLflow itself created at its top (the Python MLflow of `MLFLOW_GIT_PYTHON`).
struct ScratchRepository {
  let path: String
  let environment: [String: String]

  init() async throws {
    let root = FileManager.default.temporaryDirectory.path + "/mlflow-git-app-" + UUID().uuidString
    path = root + "/app"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    var environment = ProcessInfo.processInfo.environment
    environment["MLFLOW_TRACKING_URI"] = nil
    environment["MLFLOW_EXPERIMENT_NAME"] = nil
    environment["MLFLOW_EXPERIMENT_ID"] = nil
    environment["MLFLOW_GIT_QUIET"] = "1"
    environment["GIT_CONFIG_NOSYSTEM"] = "1"
    environment["HOME"] = root
    self.environment = environment
    do {
      try Self.run("/usr/bin/env", ["git", "init", "-q", "-b", "main", path], environment)
      try Self.run(
        "/usr/bin/env", ["git", "-C", path, "-c", "user.name=App", "-c", "user.email=app@example.com", "commit", "-q",
          "--allow-empty", "-m", "first"], environment)
      let python = try #require(environment["MLFLOW_GIT_PYTHON"], "MLFLOW_GIT_PYTHON names Python MLflow (scripts/test.sh sets it)")
      let mlflow = URL(fileURLWithPath: python).deletingLastPathComponent().path + "/mlflow"
      try Self.run(mlflow, ["db", "upgrade", "sqlite:///" + path + "/mlflow.db"], environment)
    } catch {
      try? FileManager.default.removeItem(atPath: root)
      throw error
    }
  }

  func remove() {
    try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
  }

  static func run(_ executable: String, _ arguments: [String], _ environment: [String: String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw SetupFailure(description: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
    }
  }

  struct SetupFailure: Error, CustomStringConvertible {
    let description: String
  }
}
