import GitVersioning
import MLflowStore

/// `mlflow-git diff [<model>]`: the exact recorded diff.
struct DiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Print a dirty version's exact diff, ready for `git apply`.",
    discussion: """
      Prints the uncommitted changes a dirty version was recorded with, byte for byte, as MLflow's
      format has them (unstaged diff, then staged diff). When the tag was cut for size, the
      complete diff comes from the model artifact git.diff. Apply it on the version's commit with
      `git apply` (a diff of both staged and unstaged edits of one file needs `git apply` twice).
      A clean version has no diff (exit status 1).
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [.argument(\.modelID, valueName: "model", help: ModelArgument.help)]
  }

  var modelID: String?

  func run() async -> ExitCode {
    do {
      let diff: [UInt8]?
      let described: String
      switch try await ModelArgument.load(modelID) {
      case .stored(let opened, let model):
        diff = try opened.completeDiff(of: model)
        described = "\(model.modelID) (\(model.name))"
      case .undelivered(let repository, let version):
        diff = version.completeDiff(in: repository)
        described = "\(version.modelID) (\(version.name))"
      }
      guard let diff else {
        printError("\(described) is a clean version: it has no diff")
        return 1
      }
      writeStandardOutput(diff.isEmpty || diff.last == UInt8(ascii: "\n") ? diff : diff + [UInt8(ascii: "\n")])
      return 0
    } catch {
      printError("\(error)")
      return 1
    }
  }
}
