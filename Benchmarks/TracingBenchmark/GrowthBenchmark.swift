import BenchmarkSupport
import CSQLite

import Foundation

/// Export throughput into `mlflow.db` as the database grows: for each size, a database
/// prefilled to that many traces (``Prefill``), then `traces` agent steps traced as fast as 16
/// tasks go, timed until the exporter has stored them all (counted in the database).
struct GrowthBenchmark {
  let setup: LoadSetup
  let traces: Int
  let sizes: [Int]
  /// A folder keeping prefilled databases (`prefill-<size>.db`) for later runs.
  let cache: String?

  func run() -> Bool {
    say("Export throughput into mlflow.db as it grows: \(traces) traces (root + 2 spans) from 16 tasks, as fast as they go")
    var rates: [(Int, Double)] = []
    var ok = true
    for size in sizes {
      let repository = setup.repository("growth-\(size)", database: true)
      let database = repository + "/mlflow.db"
      if size > 0 {
        let cached = cache.map { "\($0)/prefill-\(size).db" }
        if let cached, FileManager.default.fileExists(atPath: cached) {
          setupShell("cp '\(cached)' '\(database)'")
        } else {
          guard prefill(repository: repository, count: size) else { return false }
          if let cached { setupShell("mkdir -p '\(cache!)' && cp '\(database)' '\(cached)'") }
        }
      }
      let before = Self.count("SELECT count(*) FROM trace_info", in: database)
      let plan = Producer.Plan(repository: repository, seconds: 0, rate: 0, tasks: 16, traces: traces, warmUp: 50)
      guard let report = setup.produce(plan, extraEnvironment: ["MLFLOW_GIT_TRACE_QUEUE_SIZE": String(traces + 1000)])
      else { return false }
      let seconds = report.produceSeconds + report.drainSeconds
      let rate = Double(report.stored) / seconds
      rates.append((size, rate))
      let total = Self.count("SELECT count(*) FROM trace_info", in: database)
      say(
        "  " + "\(size) traces before (\(total) after)".padding(to: 44)
          + " \(Int(rate.rounded())) traces/s".padding(to: 16)
          + " (\(report.stored) stored in \(String(format: "%.2f", seconds)) s; CPU \(formatDuration(report.cpuSeconds / Double(report.stored))) "
          + "a trace; spilled \(report.spilled), dropped \(report.dropped))")
      if total - before != report.produced + 50 {
        say("    NOT all in mlflow.db: \(total - before) of \(report.produced + 50) traces")
        ok = false
      }
    }
    if let first = rates.first, let last = rates.last, rates.count > 1 {
      printRatio("Throughput at \(first.0) / at \(last.0) traces", first.1 / last.1, target: "≤ 2×")
    }
    return ok
  }

  /// A template trace from the exporter, then `count` copies by bulk SQL.
  private func prefill(repository: String, count: Int) -> Bool {
    let database = repository + "/mlflow.db"
    let plan = Producer.Plan(repository: repository, seconds: 0, rate: 0, tasks: 1, traces: 1, warmUp: 0)
    guard setup.produce(plan) != nil else { return false }
    let template = Self.text("SELECT request_id FROM trace_info LIMIT 1", in: database)
    let start = monotonicSeconds()
    let prefill = Prefill(databasePath: database, template: template, modelID: "m-" + String(repeating: "0", count: 31) + "1")
    if let problem = prefill.run(count: count) {
      say(problem)
      return false
    }
    say("  (prefilled \(count) traces by bulk SQL in \(formatDuration(monotonicSeconds() - start)))")
    return true
  }

  static func count(_ sql: String, in database: String) -> Int { Int(text(sql, in: database)) ?? -1 }

  static func text(_ sql: String, in database: String) -> String {
    var connection: OpaquePointer?
    defer { sqlite3_close(connection) }
    guard sqlite3_open_v2(database, &connection, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else { return "" }
    var statement: OpaquePointer?
    defer { sqlite3_finalize(statement) }
    guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK, sqlite3_step(statement) == SQLITE_ROW,
      let text = sqlite3_column_text(statement, 0)
    else { return "" }
    return String(cString: text)
  }
}
