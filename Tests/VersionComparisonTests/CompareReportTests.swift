import ChildProcess
import Foundation
import Testing
import TestSupport

/// The reports of one comparison: the HTML page in headless Chromium (its charts rendered with
/// both versions' series), the Markdown for a pull-request comment and the terminal table, each
/// against the JSON report of the same comparison.
@Suite("compare's reports")
struct CompareReportTests {
  @Test("--html: one self-contained page whose SVG charts Chromium renders with A's and B's series; screenshot attached")
  func htmlInChromium() async throws {
    let scenario = try await CompareScenario.shared.value
    let directory = try TemporaryDirectory("compare-html")
    let page = directory.appending("compare.html")
    _ = try await CompareScenario.run(CompareScenario.cli, ["compare", "--html", page], in: scenario.repo, scenario.environment)
    let html = try String(contentsOfFile: page, encoding: .utf8)
    #expect(!html.contains("<script") && !html.contains(" src=") && !html.contains(" href="), "no scripts or outside files")
    #expect(!html.replacing("xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http"))
    let report = try await scenario.compareJSON([])
    let names = try #require(
      ((report["behaviour"] as? [String: Any])?["a"] as? [String: Any])?["rootSpans"] as? [String: Any])
    // Every histogram bar's title gives its share of the version's traces: each series sums to 100%.
    for series in ["A", "B"] {
      let shares = html.matches(of: try Regex("<title>\(series): ([0-9.]+)% of traces")).compactMap {
        Double($0.output[1].substring ?? "")
      }
      #expect(!shares.isEmpty && abs(shares.reduce(0, +) - 100) < 0.05 * Double(shares.count), "\(series): \(shares)")
    }

    // What Chromium laid out: each chart's size and how many marks of each series have a box.
    let probe = directory.appending("probe.html")
    try html.replacing("</body>", with: Self.layoutProbe + "</body>").write(toFile: probe, atomically: true, encoding: .utf8)
    let profile = directory.appending("chromium")
    let dom = try await HeadlessChromium.run(["--dump-dom"], url: "file://" + probe, profile: profile).standardOutputText
    let rendered = try #require(
      dom.firstMatch(of: /<pre id="rendered">([^<]*)<\/pre>/).map { String($0.output.1) }, "no layout in \(dom.suffix(500))")
    let charts = try #require(try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: [String: Any]])
    #expect(Set(charts.keys) == ["latency-histogram", "root-span-latency"])
    for (chart, layout) in charts {
      #expect((layout["width"] as? Double ?? 0) > 700 && (layout["height"] as? Double ?? 0) > 150, "\(chart): \(layout)")
      for series in ["a", "b"] {
        let marks = (layout["series"] as? [String: [String: Int]])?[series]
        #expect((marks?["marks"] ?? 0) > 0 && marks?["rendered"] == marks?["marks"], "\(chart) \(series): \(layout)")
        if chart == "root-span-latency" {
          #expect(marks?["marks"] == 2 * names.count, "p50 and p95 for each of \(names.keys.sorted())")
        }
      }
    }

    // The page as a person sees it: both series' colours are on the screen.
    let screenshot = directory.appending("compare.png")
    _ = try await HeadlessChromium.run(
      ["--window-size=1000,2600", "--screenshot=" + screenshot], url: "file://" + page, profile: profile)
    let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    Attachment.record(png, named: "compare.png")
    let pixels = try #require(
      try await ReferenceMLflow.runJSON(Self.colourCount(screenshot), environment: ReferenceMLflow.environment())
        as? [String: Int])
    // Histogram bars are drawn at 55 % opacity on white, p50 bars and legend swatches solid.
    #expect((pixels["histogram A"] ?? 0) > 300 && (pixels["histogram B"] ?? 0) > 300, "\(pixels)")
    #expect((pixels["solid A"] ?? 0) > 2 * 144 + 400 && (pixels["solid B"] ?? 0) > 2 * 144 + 400, "\(pixels)")
  }

  @Test("--markdown: the versions, a row per figure marked as the JSON's verdicts say, the commits and files")
  func markdown() async throws {
    let scenario = try await CompareScenario.shared.value
    let markdown = try await CompareScenario.run(CompareScenario.cli, ["compare", "--markdown"], in: scenario.repo, scenario.environment)
    let report = try await scenario.compareJSON([])
    let delta = try #require((report["behaviour"] as? [String: Any])?["delta"] as? [String: Any])
    let lines = markdown.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("### mlflow-git compare: `main-") == true)
    #expect(lines.contains("| | A | B | B − A |"))
    for (label, key) in [("error rate", "errorRate"), ("latency p50", "latencyP50Ms"), ("latency p95", "latencyP95Ms")] {
      let row = try #require(lines.first { $0.hasPrefix("| \(label) |") }, "no \(label) row")
      let verdict = (delta[key] as? [String: Any])?["verdict"] as? String
      #expect(row.hasSuffix(verdict == "better" ? "✅ |" : verdict == "worse" ? "⚠️ |" : " |"), "\(row) vs \(verdict ?? "-")")
    }
    #expect(lines.contains { $0.hasPrefix("| assessment: accuracy |") })
    #expect(lines.contains("<details><summary>Per root span</summary>"))
    #expect(lines.contains { $0.hasPrefix("- `") && $0.hasSuffix("Shorter answers") })
    #expect(lines.contains("- `agent.py` +1 −1"))
  }

  @Test("the terminal table: each figure of A and B as the JSON has it, bars for p50 and p95, B's uncommitted diff")
  func terminal() async throws {
    let scenario = try await CompareScenario.shared.value
    let text = try await CompareScenario.run(CompareScenario.cli, ["compare"], in: scenario.repo, scenario.environment)
    let report = try await scenario.compareJSON([])
    let a = try #require((report["behaviour"] as? [String: Any])?["a"] as? [String: Any])
    let b = try #require((report["behaviour"] as? [String: Any])?["b"] as? [String: Any])
    let lines = text.split(separator: "\n").map(String.init)
    let traces = try #require(lines.first { $0.hasPrefix("  traces ") })
    #expect(traces.split(separator: " ").map(String.init) == ["traces", "\(a["traces"]!)", "\(b["traces"]!)", "+\((b["traces"] as! Int) - (a["traces"] as! Int))"])
    let p50 = try #require(lines.first { $0.hasPrefix("  latency p50 ") })
    #expect(p50.contains("█") && (p50.hasSuffix("better") || p50.hasSuffix("worse") || !p50.contains("(")))
    #expect(!text.contains("\u{1B}["), "no colour when standard output is not a terminal")
    let uncommitted = try #require((report["b"] as? [String: Any])?["uncommitted"] as? [String: Any])
    #expect(text.contains("B's uncommitted changes (recorded diff): 1 file, +2 −1, \(uncommitted["bytes"]!) bytes, sha256 "
      + (uncommitted["sha256"] as! String).prefix(12)))
    #expect(text.contains("  1 commit in B not in A, 0 in A not in B (merge base "))
  }

  /// Added before `</body>`: writes each chart's laid-out size and, per series, how many marks
  /// it has and how many have a non-empty box, as JSON in `<pre id="rendered">`.
  static let layoutProbe = """
    <script>
    const out = {};
    for (const svg of document.querySelectorAll('svg[id]')) {
      const box = svg.getBoundingClientRect();
      const series = {};
      for (const name of ['a', 'b']) {
        const marks = [...svg.querySelectorAll('.series-' + name)];
        const rendered = marks.filter(mark => { const r = mark.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
        series[name] = {marks: marks.length, rendered: rendered.length};
      }
      out[svg.id] = {width: box.width, height: box.height, series};
    }
    const pre = document.createElement('pre');
    pre.id = 'rendered';
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
    </script>
    """

  /// Python (Pillow, installed with MLflow) counting the screenshot's pixels of each series'
  /// colours, within 6 of each channel.
  static func colourCount(_ path: String) -> String {
    """
    import json
    from PIL import Image
    image = Image.open(\(pythonLiteral(path))).convert("RGB")
    def blend(colour, opacity): return tuple(round(255 * (1 - opacity) + c * opacity) for c in colour)
    a, b = (0x1f, 0x77, 0xb4), (0xff, 0x7f, 0x0e)
    wanted = {"solid A": a, "solid B": b, "histogram A": blend(a, 0.55), "histogram B": blend(b, 0.55)}
    counts = dict.fromkeys(wanted, 0)
    for n, pixel in image.getcolors(image.width * image.height):
        for name, colour in wanted.items():
            if all(abs(p - c) <= 6 for p, c in zip(pixel, colour)):
                counts[name] += n
    print(json.dumps(counts))
    """
  }
}
