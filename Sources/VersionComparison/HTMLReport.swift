import GitState
import GitVersioning
import MLflowStore

/// A comparison as one self-contained HTML page (inline CSS and SVG; no scripts, fonts,
/// images or other files): the versions, the code changes, the figures, the latency
/// distributions of A and B as overlaid histograms, and p50/p95 bars per root span.
///
/// The charts' marks carry `class="series-a"` or `class="series-b"` (and `data-series`), the
/// histogram is `<svg id="latency-histogram">`, the bars `<svg id="root-span-latency">`.
///
/// # Usage
/// ```swift
/// try HTMLReport(comparison).text.write(toFile: reportFolder + "/compare.html", atomically: false, encoding: .utf8)
/// ```
package struct HTMLReport: Sendable {
  package let comparison: VersionComparison

  package init(_ comparison: VersionComparison) { self.comparison = comparison }

  static let colorA = "#1f77b4"
  static let colorB = "#ff7f0e"

  package var text: String {
    let a = comparison.a
    let b = comparison.b
    var body = "<h1>\(Self.escape(a.name)) → \(Self.escape(b.name))</h1>\n<table class=\"versions\">\n"
    body += "<tr><th></th><th>version</th><th>model</th><th>state</th><th>named by</th></tr>\n"
    for (label, side) in [("A", a), ("B", b)] {
      body += "<tr><td class=\"\(label.lowercased())\"><b>\(label)</b></td><td>\(Self.escape(side.name))</td>"
        + "<td><code>\(side.modelID ?? "—")</code></td><td>\(Self.escape(ReportText.state(side)))</td>"
        + "<td>\(Self.escape(side.reference.description))</td></tr>\n"
    }
    body += "</table>\n<p>store <code>\(Self.escape(comparison.trackingURI))</code></p>\n"
    body += codeSection
    body += "<h2>Behaviour</h2>\n<p>\(Self.escape(ReportText.window(comparison.window)))</p>\n"
    if let problem = comparison.storeProblem {
      body += "<p>The store is not available, so no traces could be read: \(Self.escape(problem))</p>\n"
    } else {
      body += table(comparison.overallRows + comparison.assessmentRows)
      body += "<h3>Latency distribution</h3>\n" + histogram
      body += "<h3>Latency per root span (p50 solid, p95 light)</h3>\n" + rootSpanBars
    }
    for note in comparison.notes { body += "<p class=\"note\">note: \(Self.escape(note))</p>\n" }
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8">
      <title>mlflow-git compare: \(Self.escape(a.name)) → \(Self.escape(b.name))</title>
      <style>
      body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; }
      table { border-collapse: collapse; margin: 8px 0 16px; }
      th, td { padding: 4px 10px; border-bottom: 1px solid #d0d7de; text-align: right; }
      th:first-child, td:first-child, table.versions td, table.versions th { text-align: left; }
      .better { color: #1a7f37; } .worse { color: #cf222e; }
      td.a b { color: \(Self.colorA); } td.b b { color: \(Self.colorB); }
      svg text { font: 12px system-ui, sans-serif; fill: #1f2328; }
      .note { color: #59636e; }
      </style></head>
      <body>
      \(body)</body></html>

      """
  }

  private var codeSection: String {
    guard let code = comparison.code else { return "<h2>Code</h2>\n<p>not available (see the notes)</p>\n" }
    let revisions = code.revisions
    var html = "<h2>Code</h2>\n<p>\(Self.escape(ReportText.commitCounts(revisions)))</p>\n"
    if !revisions.commits.isEmpty {
      html += "<details><summary>Commits</summary><ul>"
        + revisions.commits.map { "<li><code>\($0.id.prefix(7))</code> \(Self.escape($0.subject))</li>" }.joined()
        + (revisions.commitsAhead > revisions.commits.count
          ? "<li>… \(revisions.commitsAhead - revisions.commits.count) more</li>" : "") + "</ul></details>\n"
    }
    html += files(revisions.files, title: "\(ReportText.fileCount(revisions.files)) between the commits")
    for (label, uncommitted) in [("A", code.uncommittedA), ("B", code.uncommittedB)] {
      guard let uncommitted else { continue }
      html += files(
        uncommitted.files,
        title: "\(label)'s uncommitted changes: \(ReportText.fileCount(uncommitted.files)), "
          + "\(FigureFormat.grouped(Double(uncommitted.bytes))) bytes, sha256 \(uncommitted.sha256.prefix(12))")
    }
    return html
  }

  private func files(_ files: [RevisionComparison.FileChange], title: String) -> String {
    "<details><summary>\(Self.escape(title))</summary><ul>"
      + files.map { "<li><code>\(Self.escape(ReportText.path($0)))</code> \(Self.escape(ReportText.lines($0)))</li>" }
      .joined() + "</ul></details>\n"
  }

  private func table(_ rows: [ComparisonRow]) -> String {
    var html = "<table class=\"figures\">\n<tr><th></th><th>A</th><th>B</th><th>B − A</th></tr>\n"
    for row in rows {
      let verdict = row.verdict.map { $0 == .same ? "" : " \($0.rawValue)" } ?? ""
      html += "<tr><td>\(Self.escape(row.label))</td><td>\(Self.escape(FigureFormat.valueWithCount(row, a: true)))</td>"
        + "<td>\(Self.escape(FigureFormat.valueWithCount(row, a: false)))</td>"
        + "<td class=\"\(verdict.trimmingPrefix(" "))\">\(Self.escape(FigureFormat.delta(row) + verdict))</td></tr>\n"
    }
    return html + "</table>\n"
  }

  /// The share of each side's traces per latency bin, as overlaid bars.
  private var histogram: String {
    let latencyA = comparison.behaviour.a?.all.latency ?? LatencyDistribution()
    let latencyB = comparison.behaviour.b?.all.latency ?? LatencyDistribution()
    guard let edges = Self.binEdges(latencyA, latencyB) else { return "<p>No trace has a latency yet.</p>\n" }
    let (width, height, left, right, top, bottom) = (760.0, 300.0, 56.0, 36.0, 28.0, 44.0)
    let plotWidth = width - left - right
    let plotHeight = height - top - bottom
    let shares = [latencyA, latencyB].map { latency -> [Double] in
      let total = Double(max(latency.count, 1))
      return latency.histogram(edges: edges).map { Double($0) / total }
    }
    let highest = max(shares.flatMap { $0 }.max() ?? 0, 0.0001)
    let binWidth = plotWidth / Double(edges.count - 1)
    var svg = "<svg id=\"latency-histogram\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" "
      + "height=\"\(Self.n(height))\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" role=\"img\">\n"
      + "<title>Latency distribution of A and B (share of each version's traces per bin)</title>\n"
    svg += axes(left: left, top: top, plotWidth: plotWidth, plotHeight: plotHeight)
    for (index, (series, latency)) in [("a", latencyA), ("b", latencyB)].enumerated() where latency.count > 0 {
      let color = index == 0 ? Self.colorA : Self.colorB
      for (bin, share) in shares[index].enumerated() where share > 0 {
        let barHeight = share / highest * plotHeight
        svg += "<rect class=\"series-\(series)\" data-series=\"\(series.uppercased())\" "
          + "x=\"\(Self.n(left + Double(bin) * binWidth + 1))\" y=\"\(Self.n(top + plotHeight - barHeight))\" "
          + "width=\"\(Self.n(max(binWidth - 2, 1)))\" height=\"\(Self.n(barHeight))\" fill=\"\(color)\" fill-opacity=\"0.55\">"
          + "<title>\(series.uppercased()): \(FigureFormat.fixed(share * 100, decimals: 1))% of traces, "
          + "\(FigureFormat.duration(edges[bin]))–\(FigureFormat.duration(edges[bin + 1]))</title></rect>\n"
      }
    }
    for tick in 0...4 {
      let index = (edges.count - 1) * tick / 4
      svg += "<text x=\"\(Self.n(left + Double(index) * binWidth))\" y=\"\(Self.n(top + plotHeight + 16))\" "
        + "text-anchor=\"middle\">\(Self.escape(FigureFormat.duration(edges[index])))</text>\n"
    }
    svg += "<text x=\"\(Self.n(left - 6))\" y=\"\(Self.n(top + 4))\" text-anchor=\"end\">"
      + "\(FigureFormat.fixed(highest * 100, decimals: 0))%</text>\n"
      + "<text x=\"\(Self.n(left - 6))\" y=\"\(Self.n(top + plotHeight))\" text-anchor=\"end\">0%</text>\n"
      + "<text x=\"\(Self.n(left + plotWidth / 2))\" y=\"\(Self.n(height - 6))\" text-anchor=\"middle\">"
      + "latency\(Self.isLogarithmic(edges) ? " (logarithmic bins)" : "")</text>\n"
    svg += legend(
      x: left + 8, y: 8,
      [("a", "A \(comparison.a.name) (\(latencyA.count) traces)"), ("b", "B \(comparison.b.name) (\(latencyB.count) traces)")])
    return svg + "</svg>\n"
  }

  /// p50 (solid) and p95 (light) bars of A and B for each root span name.
  private var rootSpanBars: String {
    let names = comparison.rootSpanNames
    guard !names.isEmpty else { return "<p>No traces.</p>\n" }
    let groups: [(name: String, a: LatencyDistribution?, b: LatencyDistribution?)] = names.map { name in
      (name, comparison.behaviour.a?.byRootSpan[name]?.latency, comparison.behaviour.b?.byRootSpan[name]?.latency)
    }
    let highest = groups.flatMap { [$0.a?.percentile(95), $0.b?.percentile(95)] }.compactMap { $0 }.max() ?? 0
    let (width, left, right, top, rowHeight) = (760.0, 160.0, 110.0, 36.0, 52.0)
    let height = top + rowHeight * Double(groups.count) + 8
    let plotWidth = width - left - right
    var svg = "<svg id=\"root-span-latency\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" "
      + "height=\"\(Self.n(height))\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" role=\"img\">\n"
      + "<title>Latency p50 and p95 per root span, A and B</title>\n"
    for (row, group) in groups.enumerated() {
      let y = top + Double(row) * rowHeight
      svg += "<text x=\"\(Self.n(left - 8))\" y=\"\(Self.n(y + 24))\" text-anchor=\"end\">"
        + "\(Self.escape(group.name.isEmpty ? "(unnamed)" : group.name))</text>\n"
      for (index, (series, latency)) in [("a", group.a), ("b", group.b)].enumerated() {
        let barY = y + 4 + Double(index) * 20
        guard let latency, let p50 = latency.percentile(50), let p95 = latency.percentile(95) else {
          svg += "<text x=\"\(Self.n(left + 4))\" y=\"\(Self.n(barY + 13))\">\(series.uppercased()): no traces</text>\n"
          continue
        }
        let color = index == 0 ? Self.colorA : Self.colorB
        let scale = highest > 0 ? plotWidth / highest : 0
        for (kind, value, opacity) in [("p95", p95, "0.35"), ("p50", p50, "1")] {
          svg += "<rect class=\"series-\(series) \(kind)\" data-series=\"\(series.uppercased())\" x=\"\(Self.n(left))\" "
            + "y=\"\(Self.n(barY))\" width=\"\(Self.n(max(value * scale, 1)))\" height=\"16\" fill=\"\(color)\" "
            + "fill-opacity=\"\(opacity)\"><title>\(series.uppercased()) \(kind) \(FigureFormat.duration(value))</title></rect>\n"
        }
        svg += "<text x=\"\(Self.n(left + max(p95 * scale, 1) + 6))\" y=\"\(Self.n(barY + 13))\">"
          + "\(Self.escape(FigureFormat.duration(p50) + " / " + FigureFormat.duration(p95)))</text>\n"
      }
    }
    svg += legend(x: left, y: 8, [("a", "A \(comparison.a.name)"), ("b", "B \(comparison.b.name)")])
    return svg + "</svg>\n"
  }

  private func axes(left: Double, top: Double, plotWidth: Double, plotHeight: Double) -> String {
    "<path d=\"M\(Self.n(left)) \(Self.n(top)) V\(Self.n(top + plotHeight)) H\(Self.n(left + plotWidth))\" "
      + "stroke=\"#8c959f\" fill=\"none\"/>\n"
  }

  private func legend(x: Double, y: Double, _ entries: [(series: String, label: String)]) -> String {
    var svg = ""
    var offset = x
    for (index, entry) in entries.enumerated() {
      svg += "<rect x=\"\(Self.n(offset))\" y=\"\(Self.n(y))\" width=\"12\" height=\"12\" "
        + "fill=\"\(index == 0 ? Self.colorA : Self.colorB)\"/>"
        + "<text x=\"\(Self.n(offset + 16))\" y=\"\(Self.n(y + 11))\">\(Self.escape(entry.label))</text>\n"
      offset += 28 + Double(min(entry.label.count, 60)) * 7.2
    }
    return svg
  }

  /// Bin edges shared by both sides: 30 bins from the shortest to the longest latency, spaced
  /// logarithmically when the longest is 20 times the shortest or more; `nil` without latencies.
  static func binEdges(_ a: LatencyDistribution, _ b: LatencyDistribution) -> [Double]? {
    let minima = [a.minimum, b.minimum].compactMap { $0 }
    let maxima = [a.maximum, b.maximum].compactMap { $0 }
    guard let lowest = minima.min(), let highest = maxima.max() else { return nil }
    let bins = 30
    let low = Double(lowest)
    let high = Double(highest)
    if high == low { return [low - 0.5, high + 0.5] }
    if low >= 1 && high / low >= 20 {
      var ratio = 1.0
      // The bin ratio r with low · r^bins = high, by bisection (no Foundation math needed).
      var (below, above) = (1.0, high / low)
      for _ in 0..<100 {
        ratio = (below + above) / 2
        var power = 1.0
        for _ in 0..<bins { power *= ratio }
        if power * low < high { below = ratio } else { above = ratio }
      }
      var edges = [low]
      for _ in 0..<bins { edges.append(edges[edges.count - 1] * ratio) }
      edges[bins] = high
      return edges
    }
    return (0...bins).map { low + (high - low) * Double($0) / Double(bins) }
  }

  private static func isLogarithmic(_ edges: [Double]) -> Bool {
    edges.count > 2 && abs((edges[1] - edges[0]) - (edges[edges.count - 1] - edges[edges.count - 2])) > 1e-6
  }

  /// A coordinate with one decimal at most, without thousands separators.
  static func n(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
  }

  static func escape(_ text: String) -> String {
    text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
      .replacing("\"", with: "&quot;")
  }
}
