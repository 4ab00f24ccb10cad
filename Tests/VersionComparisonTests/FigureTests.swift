import Foundation
import GitState
import MLflowStore
import Testing
import TestSupport
@testable import VersionComparison

/// The pieces compare's figures are made of, each against its reference: percentiles against
/// numpy, times against Foundation's calendar, file changes against `git diff --numstat`.
@Suite("compare's figures, piece by piece")
struct FigureTests {
  @Test("percentiles are numpy.percentile's (linear), to the last bit, for samples with ties, one value, two values")
  func percentilesAreNumpys() async throws {
    // Durations scattered by a multiplicative hash, with ties and a slow tail one in seven.
    var samples: [[Int64]] = [[7], [3, 11], [5, 5, 5, 9]]
    for size in [10, 37, 101, 1000, 4999] {
      samples.append(
        (0..<size).map { (index: Int) -> Int64 in
          let scattered = Int64((index &* 2_654_435_761) % 3000)
          return index % 7 == 3 ? scattered + 20_000 : scattered
        })
    }
    let percents = [0, 1, 5, 25, 50, 75, 90, 95, 99, 99.9, 100]
    let code = """
      import json, numpy
      samples = json.loads(\(pythonLiteral(String(decoding: try JSONSerialization.data(withJSONObject: samples), as: UTF8.self))))
      print(json.dumps([[repr(float(numpy.percentile(s, p))) for p in \(percents)] for s in samples]))
      """
    // Exact decimal text, read with Double(_:) (correctly rounded; JSONSerialization is not always).
    let printed = try #require(try await ReferenceMLflow.runJSON(code, environment: ReferenceMLflow.environment()) as? [[String]])
    let expected = printed.map { $0.compactMap(Double.init) }
    for (sample, numpy) in zip(samples, expected) {
      let latency = LatencyDistribution(durations: sample)
      #expect(percents.map { latency.percentile($0)! } == numpy, "n=\(sample.count)")
      #expect(latency.maximum == sample.max() && latency.count == sample.count)
    }
    #expect(LatencyDistribution().percentile(50) == nil)
  }

  @Test("--since/--until times: durations ago, dates and times in local time, UTC and offsets; anything else is refused")
  func times() throws {
    let now: Int64 = 1_793_491_200_000
    #expect(TraceWindow.time(from: "90m", now: now) == now - 90 * 60_000)
    #expect(TraceWindow.time(from: "2w", now: now) == now - 14 * 86_400_000)
    let utc = try #require(ISO8601DateFormatter().date(from: "2026-11-01T09:30:15Z"))
    #expect(TraceWindow.time(from: "2026-11-01T09:30:15Z", now: 0) == Int64(utc.timeIntervalSince1970) * 1000)
    #expect(TraceWindow.time(from: "2026-11-01T11:30:15+02:00", now: 0) == Int64(utc.timeIntervalSince1970) * 1000)
    #expect(TraceWindow.time(from: "2026-11-01T04:30:15-0500", now: 0) == Int64(utc.timeIntervalSince1970) * 1000)
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = .current
    let localMidnight = try #require(calendar.date(from: DateComponents(year: 2026, month: 11, day: 1)))
    #expect(TraceWindow.time(from: "2026-11-01", now: 0) == Int64(localMidnight.timeIntervalSince1970) * 1000)
    let localTime = try #require(calendar.date(from: DateComponents(year: 2026, month: 11, day: 1, hour: 9, minute: 30)))
    #expect(TraceWindow.time(from: "2026-11-01 09:30", now: 0) == Int64(localTime.timeIntervalSince1970) * 1000)
    for bad in ["", "yesterday", "7", "7y", "2026-13-01", "2026-11-01T25:00", "2026-11-01T09:30+2", "2026-11-01X"] {
      #expect(TraceWindow.time(from: bad, now: now) == nil, "\(bad)")
    }
  }

  @Test("numbers in reports: thousands, percentages, durations, dollars, signed changes")
  func numbers() {
    #expect(FigureFormat.value(1204, unit: .count) == "1,204")
    #expect(FigureFormat.value(0.0213, unit: .ratio) == "2.13%")
    #expect(FigureFormat.value(812.5, unit: .milliseconds) == "812 ms" || FigureFormat.value(812.5, unit: .milliseconds) == "813 ms")
    #expect(FigureFormat.value(81.25, unit: .milliseconds) == "81.3 ms")
    #expect(FigureFormat.value(2410, unit: .milliseconds) == "2.41 s")
    #expect(FigureFormat.value(0.0000075, unit: .dollars) == "$0.00000750")
    #expect(FigureFormat.value(nil, unit: .tokens) == "—")
    let row = ComparisonRow("latencyP50Ms", "latency p50", unit: .milliseconds, preference: .lower, a: 812, b: 640)
    #expect(row.verdict == .better)
    #expect(TerminalReport.bar(640, scale: 812) == "███████▉  ")
  }

  @Test("a recorded diff's files and lines are git diff --numstat's: staged and unstaged, new, deleted, binary, renamed, non-ASCII names")
  func recordedDiffFiles() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository(files: ["a.txt": "1\n2\n3\n", "gone.txt": "x\n", "old name.txt": "same\nlines\nhere\n", "blob.bin": "\u{0}\u{1}"])
    try scratch.write("1\ntwo\n3\n4\n", to: repo + "/a.txt")
    try scratch.git(["-C", repo, "rm", "-q", "gone.txt"])
    try scratch.git(["-C", repo, "mv", "old name.txt", "new name.txt"])
    try scratch.write([0, 2, 3], to: repo + "/blob.bin")
    try scratch.write("é\n", to: repo + "/café.txt")
    try scratch.git(["-C", repo, "add", "café.txt"])
    try scratch.write("é\nè\n", to: repo + "/café.txt")
    let repository = try GitRepository.discover(from: repo)
    let changes = GitDiff(bytes: try repository.diff(for: try repository.status()).bytes).fileChanges

    var expected: [String: (Int?, Int?)] = [:]
    for arguments in [["diff", "--numstat"], ["diff", "--cached", "--numstat"]] {
      for line in try scratch.git(["-C", repo, "-c", "core.quotePath=false"] + arguments).split(separator: "\n") {
        let fields = line.split(separator: "\t", maxSplits: 2).map(String.init)
        let path = fields[2].contains(" => ") ? String(fields[2].split(separator: " => ").last!) : fields[2]
        let earlier = expected[path]
        expected[path] = (Int(fields[0]).map { $0 + (earlier?.0 ?? 0) }, Int(fields[1]).map { $0 + (earlier?.1 ?? 0) })
      }
    }
    #expect(Set(changes.map(\.path)) == Set(expected.keys), "\(changes)")
    for change in changes {
      #expect(change.added == expected[change.path]?.0 && change.deleted == expected[change.path]?.1, "\(change)")
    }
    #expect(changes.first { $0.path == "new name.txt" }?.previousPath == "old name.txt")
    #expect(changes.first { $0.path == "blob.bin" }?.isBinary == true)
  }

  @Test("between two commits: commits each side, files with lines (renames, binary), capped commit list")
  func revisions() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository(files: ["a.txt": "1\n", "b.txt": "keep\nthese\nlines\n"])
    try scratch.git(["-C", repo, "checkout", "-q", "-b", "side"])
    for index in 1...3 {
      try scratch.write("1\n\(index)\n", to: repo + "/a.txt")
      try scratch.git(["-C", repo, "commit", "-q", "-am", "step \(index)"])
    }
    try scratch.git(["-C", repo, "mv", "b.txt", "c.txt"])
    try scratch.write([0, 9], to: repo + "/d.bin")
    try scratch.git(["-C", repo, "add", "d.bin"])
    try scratch.git(["-C", repo, "commit", "-q", "-m", "rename and binary"])
    try scratch.git(["-C", repo, "checkout", "-q", "main"])
    try scratch.git(["-C", repo, "commit", "-q", "--allow-empty", "-m", "on main"])
    let repository = try GitRepository.discover(from: repo)
    let comparison = try repository.comparison(from: "main", to: "side", commitLimit: 2)
    #expect(comparison.commitsAhead == 4 && comparison.commitsBehind == 1)
    #expect(comparison.commits.map(\.subject) == ["rename and binary", "step 3"])
    #expect(comparison.mergeBase == (try scratch.git(["-C", repo, "rev-parse", "main~1"])))
    #expect(comparison.files.first { $0.path == "c.txt" }?.previousPath == "b.txt")
    #expect(comparison.files.first { $0.path == "d.bin" }?.isBinary == true)
    #expect(comparison.files.first { $0.path == "a.txt" }.map { ($0.added, $0.deleted) } ?? (nil, nil) == (1, 0))
    #expect(try repository.defaultBranch()?.name == "main")
    #expect(try repository.commitID(of: "no-such-thing") == nil)
  }
}
