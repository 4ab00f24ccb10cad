import Foundation

/// The hooks' background workers (`mlflow-git sync --background`, which a hook starts detached)
/// of one repository, found in `/proc`: a test that holds the worker lock while hooks run waits
/// for the workers those hooks started, which leave the work to the lock's holder, to be gone
/// before it lets another worker deliver.
package enum BackgroundWorkers {
  /// The IDs of the `mlflow-git sync --background` processes whose current directory is
  /// `workTree` (a hook's worker runs where git ran the hook: the top of the work tree).
  package static func running(in workTree: String) -> [Int32] {
    let directory = URL(fileURLWithPath: workTree).resolvingSymlinksInPath().path
    return Scratch.processes(workingIn: workTree).filter { pid in
      guard let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
      let arguments = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
      guard arguments.count >= 3, arguments[0].hasSuffix("mlflow-git"), arguments[1] == "sync",
        arguments.contains("--background")
      else { return false }
      return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) == directory
    }
  }

  /// Waits until no background worker runs in `workTree`, for at most `limit`.
  package static func waitUntilNoneRuns(in workTree: String, limit: Duration = .seconds(60)) async throws {
    let deadline = ContinuousClock.now + limit
    while !running(in: workTree).isEmpty {
      guard ContinuousClock.now < deadline else {
        throw TestFailure("background workers still run in \(workTree) after \(limit): \(running(in: workTree))")
      }
      try await Task.sleep(for: .milliseconds(20))
    }
  }
}
