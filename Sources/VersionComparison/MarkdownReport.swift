import GitState
import GitVersioning

/// A comparison as GitHub-flavoured Markdown, for a pull-request comment: the versions, the
/// figures with ✅/⚠️ on changes for the better or worse, then the per-root-span figures, the
/// commits and the files in collapsed sections.
///
/// # Usage
/// ```swift
/// try MarkdownReport(comparison).text.write(toFile: reportFolder + "/compare.md", atomically: false, encoding: .utf8)
/// ```
package struct MarkdownReport: Sendable {
  package let comparison: VersionComparison
  /// The most commits and files listed.
  package let listLimit: Int

  package init(_ comparison: VersionComparison, listLimit: Int = 20) {
    self.comparison = comparison
    self.listLimit = listLimit
  }

  package var text: String {
    let a = comparison.a
    let b = comparison.b
    var lines = [
      "### mlflow-git compare: `\(Self.code(a.name))` → `\(Self.code(b.name))`", "",
      "| | version | model | state |", "|---|---|---|---|",
      "| **A** | `\(Self.code(a.name))` | \(a.modelID.map { "`\($0)`" } ?? "—") | \(Self.cell(ReportText.state(a))) (\(Self.cell(a.reference.description))) |",
      "| **B** | `\(Self.code(b.name))` | \(b.modelID.map { "`\($0)`" } ?? "—") | \(Self.cell(ReportText.state(b))) (\(Self.cell(b.reference.description))) |",
      "",
    ]
    if let code = comparison.code {
      var summary = "**Code:** " + ReportText.commitCounts(code.revisions) + "; "
        + (code.revisions.files.isEmpty ? "no files differ" : ReportText.fileCount(code.revisions.files))
      for (label, uncommitted) in [("A", code.uncommittedA), ("B", code.uncommittedB)] {
        guard let uncommitted else { continue }
        summary += "; \(label) has uncommitted changes (\(ReportText.fileCount(uncommitted.files)), "
          + "sha256 `\(uncommitted.sha256.prefix(12))`)"
      }
      lines += [summary, ""]
    }
    lines.append("**Behaviour** (\(ReportText.window(comparison.window)), store `\(Self.code(comparison.trackingURI))`)")
    lines.append("")
    if let problem = comparison.storeProblem {
      lines += ["The store is not available, so no traces could be read: \(Self.cell(problem))", ""]
    } else {
      lines += table(comparison.overallRows + comparison.assessmentRows.map(Self.assessment))
      let names = comparison.rootSpanNames
      if names.count == 1 {
        lines += ["Every trace's root span is `\(Self.code(names[0]))`.", ""]
      } else if names.count > 1 {
        lines += ["<details><summary>Per root span</summary>", ""]
        for name in names {
          lines += ["**\(Self.cell(name.isEmpty ? "(unnamed)" : name))**", ""]
          lines += table(comparison.rows(rootSpan: name))
        }
        lines += ["</details>", ""]
      }
    }
    if let code = comparison.code {
      lines += details(
        "Commits (\(code.revisions.commitsAhead))",
        code.revisions.commits.prefix(listLimit).map { "- `\($0.id.prefix(7))` \(Self.cell($0.subject))" },
        more: code.revisions.commitsAhead - min(listLimit, code.revisions.commits.count))
      lines += details(
        "Files (\(ReportText.fileCount(code.revisions.files)))",
        code.revisions.files.prefix(listLimit).map { "- `\(Self.code(ReportText.path($0)))` \(ReportText.lines($0))" },
        more: code.revisions.files.count - listLimit)
    }
    lines += comparison.notes.map { "> " + Self.cell($0) }
    while lines.last == "" { lines.removeLast() }
    return lines.joined(separator: "\n") + "\n"
  }

  private func table(_ rows: [ComparisonRow]) -> [String] {
    ["| | A | B | B − A |", "|---|---:|---:|---:|"]
      + rows.map { row in
        let mark =
          switch row.verdict {
          case .better?: " ✅"
          case .worse?: " ⚠️"
          case .same?, nil: ""
          }
        return "| \(Self.cell(row.label)) | \(FigureFormat.valueWithCount(row, a: true)) | "
          + "\(FigureFormat.valueWithCount(row, a: false)) | \(FigureFormat.delta(row))\(mark) |"
      } + [""]
  }

  private func details(_ summary: String, _ items: [String], more: Int) -> [String] {
    guard !items.isEmpty else { return [] }
    return ["<details><summary>\(Self.cell(summary))</summary>", ""] + items
      + (more > 0 ? ["- … \(more) more"] : []) + ["", "</details>", ""]
  }

  /// An assessment's row labelled as one.
  private static func assessment(_ row: ComparisonRow) -> ComparisonRow {
    var row = row
    row.label = "assessment: " + row.label
    return row
  }

  /// Text safe inside a table cell: `|` escaped, no line breaks, no HTML tags.
  static func cell(_ text: String) -> String {
    text.replacing("\\", with: "\\\\").replacing("|", with: "\\|").replacing("\n", with: " ")
      .replacing("<", with: "&lt;").replacing(">", with: "&gt;")
  }

  /// Text safe inside a code span.
  static func code(_ text: String) -> String {
    text.replacing("`", with: "'").replacing("|", with: "\\|").replacing("\n", with: " ")
  }
}
