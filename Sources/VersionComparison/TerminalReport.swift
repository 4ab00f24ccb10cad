import GitState
import GitVersioning

/// A comparison as a terminal table: the two versions, the code changes, then each figure for
/// A, B and B − A, the change marked `better` or `worse` (in green or red with `color`), with
/// inline bars for the latency percentiles.
///
/// # Usage
/// ```swift
/// print(TerminalReport(comparison, color: isatty(STDOUT_FILENO) == 1).text, terminator: "")
/// ```
package struct TerminalReport: Sendable {
  package let comparison: VersionComparison
  /// Colour the verdicts with ANSI escapes.
  package let color: Bool
  /// The most commits and files listed.
  package let listLimit: Int

  package init(_ comparison: VersionComparison, color: Bool = false, listLimit: Int = 10) {
    self.comparison = comparison
    self.color = color
    self.listLimit = listLimit
  }

  /// The whole report, ending with a newline.
  package var text: String {
    var lines: [String] = []
    let sides = [("A", comparison.a), ("B", comparison.b)]
    lines += TextTable.aligned(
      sides.map { label, side in
        [label, side.name, side.modelID ?? "(no model)", ReportText.state(side), "(\(side.reference))"]
      })
    lines.append("store  \(comparison.trackingURI)")
    lines.append("")
    lines.append("Code")
    lines += codeLines.map { "  " + $0 }
    lines.append("")
    lines.append("Behaviour (\(ReportText.window(comparison.window)))")
    if let problem = comparison.storeProblem {
      lines.append("  the store is not available, so no traces could be read: \(problem)")
    } else {
      lines += behaviourLines.map { "  " + $0 }
    }
    if !comparison.notes.isEmpty {
      lines.append("")
      lines += comparison.notes.map { "note: " + $0 }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private var codeLines: [String] {
    guard let code = comparison.code else { return ["not available (see the notes)"] }
    let revisions = code.revisions
    var lines = [ReportText.commitCounts(revisions)]
    lines += revisions.commits.prefix(listLimit).map { "  \($0.id.prefix(7)) \($0.subject)" }
    if revisions.commitsAhead > min(listLimit, revisions.commits.count) {
      lines.append("  … \(revisions.commitsAhead - min(listLimit, revisions.commits.count)) more")
    }
    lines.append(
      revisions.files.isEmpty
        ? "no files differ between the commits"
        : "\(ReportText.fileCount(revisions.files)) between the commits:")
    lines += fileLines(revisions.files)
    for (label, uncommitted) in [("A", code.uncommittedA), ("B", code.uncommittedB)] {
      guard let uncommitted else { continue }
      lines.append(
        "\(label)'s uncommitted changes (recorded diff): \(ReportText.fileCount(uncommitted.files)), "
          + "\(FigureFormat.grouped(Double(uncommitted.bytes))) bytes, sha256 \(uncommitted.sha256.prefix(12))")
      lines += fileLines(uncommitted.files)
    }
    return lines
  }

  private func fileLines(_ files: [RevisionComparison.FileChange]) -> [String] {
    var lines = TextTable.aligned(files.prefix(listLimit).map { [ReportText.path($0), ReportText.lines($0)] })
      .map { "  " + $0 }
    if files.count > listLimit { lines.append("  … \(files.count - listLimit) more") }
    return lines
  }

  private var behaviourLines: [String] {
    var rows: [[String]] = [["", "A", "B", "B − A", ""]]
    rows += comparison.overallRows.map(cells)
    let assessments = comparison.assessmentRows
    if !assessments.isEmpty {
      rows.append(["assessments (mean)", "", "", "", ""])
      rows += assessments.map { cells($0, indent: "  ") }
    }
    let names = comparison.rootSpanNames
    if names.count == 1 {
      rows.append(["per root span: every trace's is " + (names[0].isEmpty ? "unnamed" : names[0]), "", "", "", ""])
    } else if names.count > 1 {
      rows.append(["per root span", "", "", "", ""])
      for name in names {
        rows.append(["  " + (name.isEmpty ? "(unnamed)" : name), "", "", "", ""])
        rows += comparison.rows(rootSpan: name).map { cells($0, indent: "    ") }
      }
    }
    return TextTable.aligned(rows)
  }

  private func cells(_ row: ComparisonRow) -> [String] { cells(row, indent: "") }

  private func cells(_ row: ComparisonRow, indent: String) -> [String] {
    var a = FigureFormat.valueWithCount(row, a: true)
    var b = FigureFormat.valueWithCount(row, a: false)
    if row.showsBar {
      let scale = max(row.a ?? 0, row.b ?? 0)
      a += " " + Self.bar(row.a, scale: scale)
      b += " " + Self.bar(row.b, scale: scale)
    }
    return [indent + row.label, a, b, FigureFormat.delta(row), verdict(row.verdict)]
  }

  private func verdict(_ verdict: ComparisonRow.Verdict?) -> String {
    switch verdict {
    case .better?: color ? "\u{1B}[32mbetter\u{1B}[0m" : "better"
    case .worse?: color ? "\u{1B}[31mworse\u{1B}[0m" : "worse"
    case .same?, nil: ""
    }
  }

  /// A bar of up to 10 cells, in eighths of a cell, for `value` out of `scale`.
  static func bar(_ value: Double?, scale: Double) -> String {
    let width = 10
    guard let value, scale > 0 else { return String(repeating: " ", count: width) }
    let eighths = Int((value / scale * Double(width * 8)).rounded())
    let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
    let text = String(repeating: "█", count: eighths / 8) + partial
    return text + String(repeating: " ", count: max(0, width - text.count))
  }
}

/// Columns of text padded to their widest cell (ANSI colour escapes take no width).
enum TextTable {
  static func aligned(_ rows: [[String]]) -> [String] {
    let columns = rows.map(\.count).max() ?? 0
    var widths = Array(repeating: 0, count: columns)
    for row in rows {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], visibleWidth(cell)) }
    }
    return rows.map { row in
      var line = ""
      for (index, cell) in row.enumerated() {
        line += cell
        if index < row.count - 1 { line += String(repeating: " ", count: widths[index] - visibleWidth(cell) + 2) }
      }
      while line.last == " " { line.removeLast() }
      return line
    }
  }

  private static func visibleWidth(_ text: String) -> Int {
    var width = 0
    var inEscape = false
    for scalar in text.unicodeScalars {
      if inEscape {
        if scalar == "m" { inEscape = false }
      } else if scalar == "\u{1B}" {
        inEscape = true
      } else {
        width += 1
      }
    }
    return width
  }
}
