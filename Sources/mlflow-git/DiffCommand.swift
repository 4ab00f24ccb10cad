import GitVersioning
import MLflowStore

/// `mlflow-git diff MODEL`: the exact recorded diff.
enum DiffCommand {
  static let help = """
    usage: mlflow-git diff [MODEL]

    Prints the uncommitted changes a dirty version was recorded with, byte for byte, as MLflow's
    format has them (unstaged diff, then staged diff). When the tag was cut for size, or a binary
    file changed (MLflow's tag only says `Binary files … differ`), the complete diff comes from
    the model artifact git.diff, binary contents included. Standard error says how to restore
    the version's tree: `git checkout COMMIT && mlflow-git diff MODEL | git apply` (a diff of
    both staged and unstaged edits of one file needs `git apply` twice). Without MODEL, the
    current state's version. A clean version has no diff (exit code 1).
    """

  static func run(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(arguments, command: "diff", help: help)
    guard let parsed else { return code }
    do {
      let diff: [UInt8]?
      let described: String
      let modelID: String
      let commit: String?
      switch try await ModelArgument.load(parsed.positionals.first) {
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
