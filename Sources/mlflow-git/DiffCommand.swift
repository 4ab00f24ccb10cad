import GitVersioning
import MLflowStore

/// `mlflow-git diff MODEL`: the exact recorded diff.
enum DiffCommand {
  static let help = """
    usage: mlflow-git diff [MODEL]

    Prints the uncommitted changes a dirty version was recorded with, byte for byte, as MLflow's
    format has them (unstaged diff, then staged diff). When the tag was cut for size, the complete
    diff comes from the model artifact git.diff. Apply it on the version's commit with
    `git apply` (a diff of both staged and unstaged edits of one file needs `git apply` twice).
    Without MODEL, the current state's version. A clean version has no diff (exit code 1).
    """

  static func run(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(arguments, command: "diff", help: help)
    guard let parsed else { return code }
    do {
      let diff: [UInt8]?
      let described: String
      switch try await ModelArgument.load(parsed.positionals.first) {
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
