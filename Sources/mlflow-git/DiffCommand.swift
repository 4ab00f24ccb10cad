import GitVersioning
import MLflowStore

/// `mlflow-git diff [<model>]`: the exact recorded diff.
struct DiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Print a dirty version's exact diff, ready for `git apply`.",
    discussion: """
      Prints the uncommitted changes a dirty version was recorded with, byte for byte, as MLflow's
      format has them (unstaged diff, then staged diff). When the tag was cut for size, or a binary
      file changed (MLflow's tag only says `Binary files … differ`), the complete diff comes from
      the model artifact git.diff, binary contents included. Standard error says how to restore
      the version's tree: `git checkout COMMIT && mlflow-git diff MODEL | git apply` (a diff of
      both staged and unstaged edits of one file needs `git apply` twice). A clean version has
      no diff (exit status 1).
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [.argument(\.modelID, valueName: "model", help: ModelArgument.help)]
  }

  var modelID: String?

  func run() async -> ExitCode {
    do {
      let diff: [UInt8]?
      let described: String
      let modelID: String
      let commit: String?
      switch try await ModelArgument.load(self.modelID) {
      case .stored(let opened, let model):
        diff = try opened.completeDiff(of: model)
        (described, modelID, commit) = ("\(model.modelID) (\(model.name))", model.modelID, model.tags[VersionTagKey.commit])
      case .undelivered(let repository, let version):
        diff = version.completeDiff(in: repository)
        (described, modelID, commit) = ("\(version.modelID) (\(version.name))", version.modelID, version.commit)
      }
      guard let diff else {
        printError("\(described) is a clean version: it has no diff")
        return 1
      }
      writeStandardOutput(diff.isEmpty || diff.last == UInt8(ascii: "\n") ? diff : diff + [UInt8(ascii: "\n")])
      writeStandardError(
        "mlflow-git: to restore this version's tree: git checkout \(commit.map { String($0.prefix(12)) } ?? "COMMIT")"
          + " && mlflow-git diff \(modelID) | git apply\n")
      return 0
    } catch {
      printError("\(error)")
      return 1
    }
  }
}
