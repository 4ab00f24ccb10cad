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
enum CompareCommand {
  static let help = """
    usage: mlflow-git compare [A] [B] [--since WHEN] [--until WHEN]
                              [--json | --markdown] [--html FILE] [--remote NAME]

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

    --since WHEN   only traces that started at or after WHEN: 90m, 36h, 7d, 2w (that long ago),
                   2026-11-01, 2026-11-01T09:30 (local time), 2026-11-01T09:30Z, …+02:00
    --until WHEN   only traces that started before WHEN (same forms)
    --json         one JSON object instead of the table:
    \(JSONReport.fieldReference.split(separator: "\n").map { "               " + $0 }.joined(separator: "\n"))
    --markdown     GitHub-flavoured Markdown, for a pull-request comment
    --html FILE    also write one self-contained HTML page with SVG charts (latency histograms
                   of A and B, p50/p95 per root span) to FILE
    --remote NAME  the remote that identifies the versions and names the default branch
                   (default origin)

    exit codes: 0 compared · 1 a version cannot be found, or the store is not available (the
    code changes are still printed) · 2 wrong usage
    """

  /// What to print, and where the HTML goes.
  struct Output {
    enum Format { case terminal, json, markdown }
    var format: Format
    var htmlPath: String?
  }

  static func run(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(
      arguments, command: "compare", help: help, flags: ["--json", "--markdown"],
      options: ["--since", "--until", "--html", "--remote"])
    guard let parsed else { return code }
    guard parsed.positionals.count <= 2, !(parsed.json && parsed.flags.contains("--markdown")) else {
      printError("compare: give at most two versions, and --json or --markdown, not both\n\n\(help)")
      return 2
    }
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    var window = TraceWindow()
    for (option, keyPath) in [("--since", \TraceWindow.since), ("--until", \TraceWindow.until)] {
      guard let text = parsed.options[option] else { continue }
      guard let time = TraceWindow.time(from: text, now: now) else {
        printError("compare: \(option) '\(text)' is not a time; use e.g. 7d, 36h, 2026-11-01 or 2026-11-01T09:30Z")
        return 2
      }
      window[keyPath: keyPath] = time
    }
    let references = parsed.positionals.map(ComparedVersion.Reference.argument)
    return await compare(
      a: references.first ?? .mergeBase, b: references.count > 1 ? references[1] : .currentState, window: window,
      remoteName: parsed.options["--remote"] ?? "origin",
      output: Output(
        format: parsed.json ? .json : parsed.flags.contains("--markdown") ? .markdown : .terminal,
        htmlPath: parsed.options["--html"]))
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
