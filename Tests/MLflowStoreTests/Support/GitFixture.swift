import ChildProcess
import Foundation
import TestSupport

/// A real Git repository made with the git CLI, with one commit and an `origin` remote.
struct GitFixture {
  let path: String
  let branch: String
  let remoteURL: String

  init(in directory: TemporaryDirectory, branch: String = "main", remoteURL: String = "https://git.example.com/acme/app.git") throws {
    path = directory.appending("repo")
    self.branch = branch
    self.remoteURL = remoteURL
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    try git("init", "-q", "-b", branch)
    try git("config", "user.email", "test@example.com")
    try git("config", "user.name", "Test")
    try git("config", "commit.gpgsign", "false")
    try "print('v1')\n".write(toFile: path + "/app.py", atomically: false, encoding: .utf8)
    try git("add", "app.py")
    try git("commit", "-q", "-m", "first")
    try git("remote", "add", "origin", remoteURL)
  }

  /// `git rev-parse HEAD`: the full 40-hex commit.
  func head() throws -> String {
    try git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The tags Python's `enable_git_model_versioning()` looks models up by, for a clean tree.
  func cleanTags() throws -> [String: String] {
    [
      "mlflow.source.git.branch": branch,
      "mlflow.source.git.commit": try head(),
      "mlflow.source.git.dirty": "false",
      "mlflow.source.git.repoURL": remoteURL,
    ]
  }

  @discardableResult
  func git(_ arguments: String...) throws -> String {
    var environment = ProcessInfo.processInfo.environment
    environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
    environment["GIT_CONFIG_NOSYSTEM"] = "1"
    let output = try ChildProcess.run("git", arguments: ["-C", path] + arguments, environment: environment)
    guard output.succeeded else { throw TestFailure("git \(arguments.joined(separator: " ")): \(output.standardErrorText)") }
    return output.standardOutputText
  }
}
