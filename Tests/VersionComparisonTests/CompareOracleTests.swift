import Foundation
import Testing
import TestSupport

/// Every figure `mlflow-git compare --json` prints, checked against the same figure computed in
/// Python from `mlflow.search_traces(model_id=…)` and the traces' assessments
/// (`Python/oracle.py`), on `mlflow.db` and through a real `mlflow server`.
@Suite("compare's figures are Python MLflow's", .serialized)
struct CompareOracleTests {
  @Test("on mlflow.db: the default comparison (merge base with main → the dirty feature branch), every figure and delta")
  func onSQLite() async throws {
    let scenario = try await CompareScenario.shared.value
    let report = try await scenario.compareJSON([])
    #expect((report["a"] as? [String: Any])?["modelID"] as? String == scenario.modelA)
    #expect((report["b"] as? [String: Any])?["modelID"] as? String == scenario.modelB)
    let oracle = try await scenario.oracle([scenario.modelA, scenario.modelB], trackingURI: "sqlite:///" + scenario.databasePath)
    try expectMatches(report, oracle, scenario)
  }

  @Test("on mlflow.db with --since and --until: only the traces that started in the window")
  func window() async throws {
    let scenario = try await CompareScenario.shared.value
    let since = try await scenario.compareJSON(["main", scenario.modelB, "--since", "\(iso(scenario.windowStart))"])
    let oracleSince = try await scenario.oracle(
      [scenario.modelA, scenario.modelB], trackingURI: "sqlite:///" + scenario.databasePath,
      since: scenario.windowStart)
    try expectMatches(since, oracleSince, scenario, evaluated: false)
    let behaviour = try #require(since["behaviour"] as? [String: Any])
    #expect((behaviour["b"] as? [String: Any])?["traces"] as? Int == 6, "2 answer, Completions, lookup, 2 agent calls")
    #expect((behaviour["a"] as? [String: Any])?["traces"] as? Int == 0)

    let until = try await scenario.compareJSON(["main", scenario.modelB, "--until", "\(iso(scenario.windowStart))"])
    let oracleUntil = try await scenario.oracle(
      [scenario.modelA, scenario.modelB], trackingURI: "sqlite:///" + scenario.databasePath,
      until: scenario.windowStart)
    try expectMatches(until, oracleUntil, scenario, evaluated: false)
  }

  @Test("through mlflow server: the same figures as Python's against the server, and as on mlflow.db")
  func throughServer() async throws {
    let scenario = try await CompareScenario.shared.value
    let server = try await MLflowServer.started(
      backendURI: "sqlite:///" + scenario.databasePath, directory: scenario.scratch.root + "/server-\(UUID().uuidString)")
    defer { server.stop() }
    let report = try await scenario.compareJSON([], extra: ["MLFLOW_TRACKING_URI": server.url])
    #expect(report["trackingURI"] as? String == server.url)
    let oracle = try await scenario.oracle([scenario.modelA, scenario.modelB], trackingURI: server.url)
    try expectMatches(report, oracle, scenario)
    var sameAsSQLite = FigureMatch()
    sameAsSQLite.compare(report["behaviour"], try await scenario.compareJSON([])["behaviour"], at: "behaviour")
    sameAsSQLite.expectNone()
  }

  @Test("versions --stats: each version's traces, errors, p50 and tokens per trace are compare's")
  func versionsStats() async throws {
    let scenario = try await CompareScenario.shared.value
    let text = try await CompareScenario.run(CompareScenario.cli, ["versions", "--stats", "--json"], in: scenario.repo, scenario.environment)
    let listings = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    let oracle = try await scenario.oracle([scenario.modelA, scenario.modelB], trackingURI: "sqlite:///" + scenario.databasePath)
    var match = FigureMatch()
    for model in [scenario.modelA, scenario.modelB] {
      let stats = listings.first { $0["modelID"] as? String == model }?["stats"]
      let expected = try #require(oracle[model] as? [String: Any])
      let latency = expected["latencyMs"] as? [String: Any]
      let tokens = (expected["tokens"] as? [String: Any])?["total"] as? [String: Any]
      match.compare(
        stats,
        [
          "traces": expected["traces"]!, "errors": expected["errors"]!, "errorRate": expected["errorRate"]!,
          "latencyP50Ms": latency?["p50"] ?? NSNull(), "totalTokensPerTrace": tokens?["mean"] ?? NSNull(),
        ] as [String: Any], at: model)
    }
    match.expectNone()
    #expect(match.numbers == 10)
  }

  /// Checks `report`'s behaviour against the oracle's figures for A and B, and its deltas
  /// against B − A of those; with `evaluated`, also the `concise` means against what
  /// `mlflow.genai.evaluate` reported for all of a version's traces.
  private func expectMatches(
    _ report: [String: Any], _ oracle: [String: Any], _ scenario: CompareScenario, evaluated: Bool = true
  ) throws {
    let behaviour = try #require(report["behaviour"] as? [String: Any], "\(report)")
    let expectedA = try #require(oracle[scenario.modelA] as? [String: Any])
    let expectedB = try #require(oracle[scenario.modelB] as? [String: Any])
    var match = FigureMatch()
    match.compare(behaviour["a"], expectedA, at: "behaviour.a")
    match.compare(behaviour["b"], expectedB, at: "behaviour.b")
    match.compare(behaviour["delta"], Self.delta(expectedA, expectedB), at: "behaviour.delta")
    match.expectNone()
    // Root spans of both kinds of app and both feedback kinds are there, so no group was skipped.
    #expect(match.numbers > 100, "only \(match.numbers) figures compared")
    guard evaluated else { return }
    for (model, side) in [(scenario.modelA, behaviour["a"]), (scenario.modelB, behaviour["b"])] {
      let concise = ((side as? [String: Any])?["assessments"] as? [String: Any])?["concise"] as? [String: Any]
      let mean = try #require(concise?["mean"] as? Double)
      let reported = try #require(scenario.evaluated[model]?["concise/mean"])
      #expect(abs(mean - reported) < 1e-9, "\(model): concise mean \(mean), genai.evaluate reported \(reported)")
    }
  }

  /// The `delta` object compare should print for these figures of A and B.
  static func delta(_ a: [String: Any], _ b: [String: Any]) -> [String: Any] {
    var delta = rowDeltas(a, b)
    let assessmentsA = a["assessments"] as? [String: [String: Any]] ?? [:]
    let assessmentsB = b["assessments"] as? [String: [String: Any]] ?? [:]
    var assessments: [String: Any] = [:]
    for name in Set(assessmentsA.keys).union(assessmentsB.keys) {
      assessments[name] = change(assessmentsA[name]?["mean"], assessmentsB[name]?["mean"], lowerIsBetter: false)
    }
    delta["assessments"] = assessments
    let spansA = a["rootSpans"] as? [String: [String: Any]] ?? [:]
    let spansB = b["rootSpans"] as? [String: [String: Any]] ?? [:]
    var spans: [String: Any] = [:]
    for name in Set(spansA.keys).union(spansB.keys) {
      spans[name] = rowDeltas(spansA[name] ?? emptyGroup, spansB[name] ?? emptyGroup)
    }
    delta["rootSpans"] = spans
    return delta
  }

  /// A group with no traces, as the oracle would print it.
  static var emptyGroup: [String: Any] {[
    "traces": 0, "errors": 0, "errorRate": NSNull(), "latencyMs": ["count": 0, "p50": NSNull(), "p95": NSNull(), "max": NSNull()],
  ]}

  private static func rowDeltas(_ a: [String: Any], _ b: [String: Any]) -> [String: Any] {
    func figure(_ group: [String: Any], _ path: [String]) -> Any? {
      path.dropLast().reduce(group as Any?) { ($0 as? [String: Any])?[$1] }.flatMap { ($0 as? [String: Any])?[path.last!] }
    }
    var delta: [String: Any] = [
      "traces": ["change": (b["traces"] as! Int) - (a["traces"] as! Int), "verdict": NSNull()],
      "errorRate": change(a["errorRate"], b["errorRate"]),
      "latencyP50Ms": change(figure(a, ["latencyMs", "p50"]), figure(b, ["latencyMs", "p50"])),
      "latencyP95Ms": change(figure(a, ["latencyMs", "p95"]), figure(b, ["latencyMs", "p95"])),
      "latencyMaxMs": change(figure(a, ["latencyMs", "max"]), figure(b, ["latencyMs", "max"])),
    ]
    for (key, path) in [
      ("inputTokensPerTrace", ["tokens", "input"]), ("outputTokensPerTrace", ["tokens", "output"]),
      ("totalTokensPerTrace", ["tokens", "total"]), ("costPerTrace", ["cost", "total"]),
    ] {
      let counts = [a, b].map { (figure($0, path + ["count"]) as? Int) ?? 0 }
      if counts.reduce(0, +) > 0 { delta[key] = change(figure(a, path + ["mean"]), figure(b, path + ["mean"])) }
    }
    return delta
  }

  /// `{change: b − a, verdict}`; nulls when a side has no value.
  private static func change(_ a: Any?, _ b: Any?, lowerIsBetter: Bool = true) -> [String: Any] {
    guard let a = (a as? NSNumber)?.doubleValue, let b = (b as? NSNumber)?.doubleValue else {
      return ["change": NSNull(), "verdict": NSNull()]
    }
    let verdict = b == a ? "same" : ((b < a) == lowerIsBetter ? "better" : "worse")
    return ["change": b - a, "verdict": verdict]
  }

  /// `2026-11-01T09:30:15Z` for milliseconds since the Unix epoch (whole seconds, rounded down).
  private func iso(_ milliseconds: Int64) -> String {
    let formatter = ISO8601DateFormatter()
    return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(milliseconds / 1000)))
  }
}
