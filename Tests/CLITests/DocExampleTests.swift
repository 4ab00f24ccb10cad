import Testing
import TestSupport

@testable import mlflow_git

/// The `///` examples of the CLI's argument parsing, verbatim (between `doc example` and
/// `end doc example` lines, at the left margin as the comments show them), declared and run.
@Suite("The `///` examples of the CLI's argument parsing run, and are their comments' text")
struct DocExampleTests {
  @Test("the examples this file holds are their comments' text, and every example of mlflow-git is held by a test (HelpGenerator's block is the help layout)")
  func examplesAreTheComments() throws {
    let problems = try DocExamples.problems(testFiles: [#filePath], modules: ["mlflow-git"], testFolders: ["CLITests"], exempt: ["Sources/mlflow-git/ArgumentParsing/HelpGenerator.swift"])
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))")
  }

  @Test("ParsableCommand's Greet parses its argument and option, validates, documents both, and runs")
  func greetExample() async throws {
    let greet = try Greet.parse(["--times", "2", "ada"], commandPath: "greet")
    #expect(greet.name == "ada" && greet.times == 2)
    #expect(try await greet.run() == .success)
    var none = Greet()
    none.times = 0
    #expect(throws: ValidationError("--times takes a positive number, not 0")) { try none.validate() }
    #expect(throws: CommandLineError.self, "parsing validates") { try Greet.parse(["--times", "0"], commandPath: "greet") }
    let help = Greet.helpGenerator(commandPath: "greet").help
    #expect(help.contains("OVERVIEW: Say hello."), "\(help)")
    #expect(help.contains("USAGE: greet [<name>] [--times <n>]"), "\(help)")
    #expect(help.contains("Who to greet.") && help.contains("How many times."), "\(help)")
  }

  @Test("ValidationError's and ExitCode's examples stop with their message and status")
  func errorExamples() {
    #expect(throws: ValidationError("--limit takes a positive number, not 0")) { try checkLimit(0) }
    #expect(throws: Never.self) { try checkLimit(3) }
    #expect(showDiff(nil, described: "main-93be08f") == .failure)
    #expect(showDiff("diff --git a/x b/x", described: "main-93be08f-dirty-3a2c1b") == .success)
  }

  /// ValidationError's example.
  func checkLimit(_ limit: Int) throws(ValidationError) {
// doc example: Sources/mlflow-git/ArgumentParsing/Errors.swift
guard limit > 0 else { throw ValidationError("--limit takes a positive number, not \(limit)") }
// end doc example
  }

  /// ExitCode's example.
  func showDiff(_ diff: String?, described: String) -> ExitCode {
// doc example: Sources/mlflow-git/ArgumentParsing/Errors.swift
guard let diff else {
  printError("\(described) is a clean version: it has no diff")
  return .failure
}
// end doc example
    _ = diff
    return .success
  }
}

extension ValidationError: Equatable {
  static func == (left: Self, right: Self) -> Bool { left.message == right.message }
}

// doc example: Sources/mlflow-git/ArgumentParsing/ParsableCommand.swift
struct Greet: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "greet", abstract: "Say hello.")
  static var arguments: [ArgumentDefinition<Self>] {
    [
      .argument(\.name, valueName: "name", help: "Who to greet."),
      .option("--times", \.times, valueName: "n", help: "How many times."),
    ]
  }
  var name: String?
  var times = 1

  func validate() throws(ValidationError) {
    guard times > 0 else { throw ValidationError("--times takes a positive number, not \(times)") }
  }

  func run() async throws -> ExitCode {
    for _ in 0..<times { print("hello, \(name ?? "world")") }
    return .success
  }
}
// end doc example
