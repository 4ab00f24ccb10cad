import ChildProcess
import Foundation
import Testing
import TestSupport

@testable import mlflow_git

/// The built `mlflow-git`'s help, version and usage errors, byte for byte, against the files in
/// Tests/CLITests/Golden. After a deliberate change, `MLFLOW_GIT_UPDATE_GOLDEN=1` rewrites them;
/// review the diff.
@Suite("CLI golden texts: every --help, help <command>, --version, usage errors")
struct CLIGoldenTests {
  static let golden = ReferenceMLflow.packageRoot + "/Tests/CLITests/Golden/"
  static let updating = ProcessInfo.processInfo.environment["MLFLOW_GIT_UPDATE_GOLDEN"] == "1"
  static let commandNames = MLflowGit.configuration.subcommands.map { $0.configuration.commandName }

  /// Runs the built mlflow-git in a scratch folder (no repository: none of these reach one).
  static func run(_ arguments: [String]) async throws -> ChildProcess.Output {
    let scratch = try Scratch()
    defer { scratch.remove() }
    return try await ChildProcess.runLimited(
      "sh", arguments: ["-c", "cd \"$1\" && shift && exec \"$@\"", "cli", scratch.root, BuiltProducts.executable(named: "mlflow-git")] + arguments,
      environment: scratch.environment)
  }

  /// Compares `text` with the golden file `name` (or writes it, when updating).
  static func expectGolden(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let path = golden + name
    if updating {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      return
    }
    let expected = try #require(
      FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) },
      "no golden file \(name): run with MLFLOW_GIT_UPDATE_GOLDEN=1 and review it", sourceLocation: sourceLocation)
    #expect(text == expected, "\(name) differs from its golden file", sourceLocation: sourceLocation)
  }

  @Test("mlflow-git --help, and each command's --help", arguments: [""] + commandNames)
  func help(_ command: String) async throws {
    let output = try await Self.run(command.isEmpty ? ["--help"] : [command, "--help"])
    #expect(output.exitStatus == 0)
    #expect(output.standardError.isEmpty)
    try Self.expectGolden(output.standardOutputText, (command.isEmpty ? "mlflow-git" : command) + ".help.txt")
  }

  @Test("help <command> and <command> -h print the same as <command> --help", arguments: commandNames)
  func helpCommand(_ command: String) async throws {
    let flag = try await Self.run([command, "--help"])
    let word = try await Self.run(["help", command])
    let short = try await Self.run([command, "-h"])
    #expect(word.exitStatus == 0 && short.exitStatus == 0)
    #expect(word.standardOutputText == flag.standardOutputText)
    #expect(short.standardOutputText == flag.standardOutputText)
  }

  @Test("mlflow-git help and -h print the root help")
  func rootHelp() async throws {
    let flag = try await Self.run(["--help"])
    #expect(try await Self.run(["help"]).standardOutputText == flag.standardOutputText)
    #expect(try await Self.run(["-h"]).standardOutputText == flag.standardOutputText)
  }

  @Test("--version of a plain build says dev")
  func version() async throws {
    let output = try await Self.run(["--version"])
    #expect(output.exitStatus == 0)
    try Self.expectGolden(output.standardOutputText, "version.txt")
  }

  @Test(
    "usage errors exit 2 and print the message, the usage line and where help is, on standard error",
    arguments: [
      ["status", "extra"], ["versions", "--limit", "abc"], ["traces", "--limit=0"], ["show", "--bogus"],
      ["exec"], ["nope"], ["sync", "--json=1"],
    ])
  func usageError(_ arguments: [String]) async throws {
    let output = try await Self.run(arguments)
    #expect(output.exitStatus == 2)
    #expect(output.standardOutput.isEmpty)
    try Self.expectGolden(String(decoding: output.standardError, as: UTF8.self), "error." + arguments.joined(separator: "_") + ".txt")
  }

  @Test("mlflow-git alone prints the root help on standard error and exits 2")
  func noCommand() async throws {
    let output = try await Self.run([])
    #expect(output.exitStatus == 2)
    #expect(output.standardError == (try await Self.run(["--help"])).standardOutput)
  }
}
