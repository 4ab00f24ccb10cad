import GitVersioning
import VersionComparison

#if canImport(Glibc)
import Glibc
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `mlflow-git compare [A] [B]`: two versions side by side, code and behaviour.
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Put two versions side by side: code changes and what the app did.",
    discussion: """
      Puts two versions side by side: what changed in the code (commits and files from git, and a
      dirty version's recorded diff) and what the app did (the traces linked to each version).

      A and B are each a branch or commit (that commit's clean version), a version name
      (main-93be08f, main-93be08f-dirty-3a2c1b) or a model ID (m-…). Without B, B is the current
      state, uncommitted changes included; without A, A is the version of the merge base of HEAD
      with the default branch (the remote's HEAD branch, else main, else master). A state with no
      version yet is registered first, as `status` does, and has no traces.

      Behaviour, for A, B and B − A: traces; error rate (state ERROR); latency p50, p95 and max
      (execution time; percentiles interpolate linearly between the nearest ranks, as numpy's
      default); input, output and total tokens and cost per trace, where recorded; the same per
      root span name; and the mean of each feedback assessment (true/false and yes/no count as 1/0)
      with its count. A figure a version does not have is "—". Changes are marked better or worse:
      lower is better, except for assessments.

      JSON fields (--json):

      \(JSONReport.fieldReference)

      Exit status: 0 compared; 1 a version cannot be found, or the store is not available (the
      code changes are still printed); 2 wrong usage.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [
      .argument(\.a, valueName: "a", help: "The first version (default: the merge base with the default branch)."),
      .argument(\.b, valueName: "b", help: "The second version (default: the current state, dirty included)."),
      .option(
        "--since", \.since, valueName: "when",
        help: """
          Only traces that started at or after this time: 90m, 36h, 7d, 2w (that long ago),
          2026-11-01, 2026-11-01T09:30 (local time), 2026-11-01T09:30Z, …+02:00.
          """),
      .option("--until", \.until, valueName: "when", help: "Only traces that started before this time (same forms)."),
      .flag("--json", \.json, help: "Print one JSON object instead of the table (its fields are listed above)."),
      .flag("--markdown", \.markdown, help: "Print GitHub-flavoured Markdown, for a pull-request comment."),
      .option(
        "--html", \.htmlPath, valueName: "file",
        help: """
          Also write one self-contained HTML page with SVG charts (latency histograms of A and B,
          p50/p95 per root span) to this file.
          """),
      .option(
        "--remote", \.remote, valueName: "name",
        help: "The Git remote that identifies the versions and names the default branch."),
    ]
  }

  var a: String?
  var b: String?
  var since: String?
  var until: String?
  var json = false
  var markdown = false
  var htmlPath: String?
  var remote = "origin"

  /// What to print, and where the HTML goes.
  struct Output {
    enum Format { case terminal, json, markdown }
    var format: Format
    var htmlPath: String?
  }

  func validate() throws(ValidationError) {
    guard !(json && markdown) else { throw ValidationError("give --json or --markdown, not both") }
    _ = try window(now: 0)
  }

  /// The trace window `--since` and `--until` name, relative to `now` (ms since the epoch).
  func window(now: Int64) throws(ValidationError) -> TraceWindow {
    var window = TraceWindow()
    for (option, text, keyPath) in [("--since", since, \TraceWindow.since), ("--until", until, \TraceWindow.until)] {
      guard let text else { continue }
      guard let time = TraceWindow.time(from: text, now: now) else {
        throw ValidationError("\(option) '\(text)' is not a time; use e.g. 7d, 36h, 2026-11-01 or 2026-11-01T09:30Z")
      }
      window[keyPath: keyPath] = time
    }
    return window
  }

  func run() async throws -> ExitCode {
    let window = try window(now: Int64(Date().timeIntervalSince1970 * 1000))
    let code = await Self.compare(
      a: a.map(ComparedVersion.Reference.argument) ?? .mergeBase,
      b: b.map(ComparedVersion.Reference.argument) ?? .currentState, window: window, remoteName: remote,
      output: Output(format: json ? .json : markdown ? .markdown : .terminal, htmlPath: htmlPath))
    return ExitCode(rawValue: code)
  }

  /// Compares, prints the report and writes the HTML page; returns the exit code.
  static func compare(
    a: ComparedVersion.Reference, b: ComparedVersion.Reference, window: TraceWindow, remoteName: String, output: Output
  ) async -> Int32 {
    let comparison: VersionComparison
    do {
      comparison = try await VersionComparison.make(
        a: a, b: b, window: window, remoteName: remoteName,
        options: .init(indexVerification: .beforeReturning, sourceName: "mlflow-git"))
    } catch {
      printError("compare: \(error)")
      return 1
    }
    switch output.format {
    case .json: print(JSONReport(comparison).text)
    case .markdown: print(MarkdownReport(comparison).text, terminator: "")
    case .terminal:
      let environment = ProcessInfo.processInfo.environment
      let color = isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
      print(TerminalReport(comparison, color: color).text, terminator: "")
    }
    if let path = output.htmlPath {
      guard FileManager.default.createFile(atPath: path, contents: Data(HTMLReport(comparison).text.utf8)) else {
        printError("compare: cannot write the HTML report to '\(path)'; check that its directory exists and is writable")
        return 1
      }
      writeStandardError("wrote \(path)\n")
    }
    if let problem = comparison.storeProblem {
      printError("compare: the store is not available, so only the code changes are shown: \(problem)")
      return 1
    }
    return 0
  }
}
