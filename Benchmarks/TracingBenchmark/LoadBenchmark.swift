import BenchmarkSupport
import ChildProcess
import TestSupport

import Foundation

/// A Swift app answering requests under load: 16 tasks tracing the agent step at a fixed
/// rate for a fixed time, against (a) `mlflow.db` and (b) a local `mlflow server` on
/// PostgreSQL (started here, on 127.0.0.1), and Python MLflow's async export under the same
/// load on the same store. Afterwards Python is the oracle: `mlflow.search_traces(model_id=…)`
/// returns every trace produced, each with its spans, and the MLflow UI's trace list loads.
struct LoadBenchmark {
  let setup: LoadSetup
  var seconds: Double
  var rate: Double
  var serverRate: Double
  var tasks: Int
  var prefill: Int
  var stores: [String]
  var python: Bool
  /// How long Python's export queue may drain after production before it is cut off.
  var drainLimit: Double
  /// Up to how many traces the oracle loads with their spans in Python.
  var oracleSpansLimit: Int

  struct Row {
    var label: String
    var offered: Double
    var produced: Int
    var stored: Int
    var seconds: Double
    var drainSeconds: Double
    var spilled: Int
    var dropped: Int
    var spanP50: Double
    var spanP99: Double
    var peakMemory: Int
    var requests: Int?
    /// CPU seconds the `mlflow server` and PostgreSQL spent meanwhile.
    var serverCPU: Double?
    /// CPU seconds the producing process spent from the start of production until every trace
    /// was stored (tracing and exporting together); Swift only.
    var producerCPU: Double?

    /// Traces stored per second from the start of production until the last was stored.
    var sustained: Double { Double(stored) / (seconds + drainSeconds) }
  }

  func run() async -> Bool {
    say("Load: \(tasks) tasks tracing the agent step (root + 2 spans) at a fixed rate for \(Int(seconds)) s; load average "
      + Self.loadAverage())
    var rows: [Row] = []
    var failures: [String] = []
    var sqliteCheck: (uri: String, modelID: String, expected: Int)?
    if stores.contains("sqlite") { sqliteCheck = await sqlitePhase(&rows, &failures) }
    if stores.contains("server") { await serverPhase(&rows, &failures) }
    say("")
    say(Self.columns.map { $0.0.padding(to: $0.1) }.joined())
    for row in rows { say(Self.line(row)) }
    let pairs = Dictionary(grouping: rows, by: { $0.label.split(separator: ":").first.map(String.init) ?? "" })
    for (store, group) in pairs.sorted(by: { $0.key < $1.key }) where group.count == 2 {
      printRatio("\(store): sustained Swift / Python", group[0].sustained / group[1].sustained)
    }
    fflush(nil)
    // Last, as it takes longest: Python reads back everything the Swift run put in mlflow.db.
    if let check = sqliteCheck {
      say("mlflow.db: checking the Swift run with Python and the UI …")
      oracle(uri: check.uri, modelID: check.modelID, expected: check.expected, label: "mlflow.db", &failures)
      await ui(backendURI: check.uri, modelID: check.modelID, label: "mlflow.db", &failures)
    }
    if !failures.isEmpty {
      say("\nFAILED:")
      for failure in failures { say("  " + failure) }
    }
    return failures.isEmpty
  }

  static let columns: [(String, Int)] = [
    ("store / producer", 34), ("offered/s", 10), ("produced", 10), ("stored", 10), ("sustained/s", 12), ("drain", 8),
    ("spilled", 9), ("lost", 7), ("span p50", 10), ("span p99", 10), ("peak mem", 10), ("req/trace", 10),
    ("server CPU/trace", 17), ("app CPU/trace", 13),
  ]

  /// Adds a row to the table and shows it at once.
  static func add(_ rows: inout [Row], _ row: Row) {
    say("  " + line(row) + " (load average after: \(loadAverage()))")
    rows.append(row)
  }

  /// The machine's 1, 5 and 15-minute load averages.
  static func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
  }

  /// One row of the table.
  static func line(_ row: Row) -> String {
    let requests = row.requests.map { String(format: "%.3f", Double($0) / Double(max(1, row.stored))) } ?? "-"
    let cells = [
      row.label, String(Int(row.offered)), String(row.produced), String(row.stored), String(Int(row.sustained.rounded())),
      String(format: "%.1f s", row.drainSeconds), String(row.spilled), String(row.dropped), formatDuration(row.spanP50),
      formatDuration(row.spanP99), "\(row.peakMemory / 1_048_576) MB", requests,
      row.serverCPU.map { formatDuration($0 / Double(max(1, row.stored))) } ?? "-",
      row.producerCPU.map { formatDuration($0 / Double(max(1, row.produced))) } ?? "-",
    ]
    return zip(cells, columns).map { $0.0.padding(to: $0.1.1) }.joined()
  }

  private func plan(_ repository: String, rate: Double) -> Producer.Plan {
    Producer.Plan(repository: repository, seconds: seconds, rate: rate, tasks: tasks, traces: 0, warmUp: 50)
  }

  private func row(_ label: String, _ report: Producer.Report, offered: Double, stored: Int, requests: Int?) -> Row {
    Row(
      label: label, offered: offered, produced: report.produced, stored: stored, seconds: report.produceSeconds,
      drainSeconds: report.drainSeconds, spilled: report.spilled, dropped: report.dropped, spanP50: report.spanP50,
      spanP99: report.spanP99, peakMemory: report.peakMemory, requests: requests, producerCPU: report.cpuSeconds)
  }

  private func pythonRow(_ label: String, _ report: LoadSetup.PythonReport, offered: Double, stored: Int, requests: Int?) -> Row {
    Row(
      label: label, offered: offered, produced: report.produced, stored: stored, seconds: report.produce_seconds,
      drainSeconds: report.drain_seconds, spilled: 0, dropped: report.produced - stored, spanP50: report.span_p50,
      spanP99: report.span_p99, peakMemory: report.peak_memory, requests: requests)
  }

  /// Returns what the Python oracle and the UI check later.
  private func sqlitePhase(
    _ rows: inout [Row], _ failures: inout [String]
  ) async -> (uri: String, modelID: String, expected: Int)? {
    let repository = setup.repository("app-sqlite", database: true)
    let database = repository + "/mlflow.db"
    let uri = "sqlite:///" + database
    if prefill > 0 {
      guard let template = setup.produce(Producer.Plan(repository: repository, seconds: 0, rate: 0, tasks: 1, traces: 1, warmUp: 0))
      else {
        failures.append("mlflow.db: the template trace failed")
        return nil
      }
      let id = GrowthBenchmark.text("SELECT request_id FROM trace_info LIMIT 1", in: database)
      if let problem = Prefill(databasePath: database, template: id, modelID: template.modelID + "0").run(count: prefill) {
        failures.append(problem)
        return nil
      }
    }
    // The producer alone first (no trace, no warm-up): the CPU its schedule and the agent step
    // cost, which the traced run's CPU per trace includes.
    var untraced = plan(repository, rate: rate)
    untraced.untraced = true
    untraced.warmUp = 0
    say("mlflow.db: the producer alone (the agent step untraced, same schedule) …")
    let producerAlone = setup.produce(untraced)
    if let producerAlone {
      say(
        "  producer alone: \(formatDuration(producerAlone.cpuSeconds / Double(max(1, producerAlone.produced)))) CPU per step, "
          + String(format: "%.2f", producerAlone.cpuSeconds / producerAlone.produceSeconds)
          + " cores (load average after: \(Self.loadAverage()))")
    }
    say("mlflow.db: Swift at \(Int(rate)) traces/s …")
    guard let swift = setup.produce(plan(repository, rate: rate)) else {
      failures.append("mlflow.db: Swift producer failed")
      return nil
    }
    let count = LinkedTraceCount(databasePath: database, modelID: swift.modelID)
    let stored = count.traces() - 50
    Self.add(&rows, row("mlflow.db: Swift MLflowTracing", swift, offered: rate, stored: stored, requests: nil))
    if let producerAlone {
      let tracing = swift.cpuSeconds / Double(max(1, swift.produced)) - producerAlone.cpuSeconds / Double(max(1, producerAlone.produced))
      say(
        "  tracing's own CPU per trace (caller's path, exporter, store; the producer alone subtracted): \(formatDuration(tracing)); "
          + String(format: "%.2f", swift.cpuSeconds / (swift.produceSeconds + swift.drainSeconds))
          + " cores used on average until the last trace was stored")
    }
    check(swift, stored: stored, spans: count.spans() - 150, label: "mlflow.db", &failures)
    let later = (uri, swift.modelID, swift.produced + 50)
    guard python else { return later }
    say("mlflow.db: Python at \(Int(rate)) traces/s …")
    // Another repository (another version) on the same mlflow.db, so the Swift run's traces
    // stay the only ones of its version for the check at the end.
    let pythonRepository = setup.repository("app-sqlite-python", database: false)
    guard let report = setup.producePython(
      repository: pythonRepository, trackingURI: uri, seconds: seconds, rate: rate, threads: tasks, drainLimit: drainLimit)
    else {
      failures.append("mlflow.db: Python producer failed")
      return later
    }
    let pythonStored = LinkedTraceCount(databasePath: database, modelID: report.model_id).traces() - 50
    Self.add(&rows, pythonRow("mlflow.db: Python async export", report, offered: rate, stored: pythonStored, requests: nil))
    return later
  }

  private func serverPhase(_ rows: inout [Row], _ failures: inout [String]) async {
    let server: MLflowServer
    let cluster: PostgresCluster
    let database = "mlflow_load"
    do {
      cluster = try await PostgresCluster.shared.value
      let backend = try await cluster.createDatabase(database)
      server = try await MLflowServer.started(backendURI: backend, directory: setup.root + "/server", workers: 4)
    } catch {
      return failures.append("server: could not start PostgreSQL and mlflow server: \(error)")
    }
    defer { server.stop() }
    let repository = setup.repository("app-server", database: false)
    func linked(_ modelID: String, _ table: String) async -> Int {
      let join = table == "spans"
        ? "spans s JOIN trace_request_metadata m ON m.request_id = s.trace_id"
        : "trace_info t JOIN trace_request_metadata m ON m.request_id = t.request_id"
      let sql = "SELECT count(*) FROM \(join) WHERE m.key = 'mlflow.modelId' AND m.value = '\(modelID)'"
      return Int((try? await cluster.query(sql, database: database)) ?? "") ?? -1
    }
    say("server: Swift at \(Int(serverRate)) traces/s …")
    let requestsBefore = Self.requests(in: server.log)
    let cpuBefore = Self.serverCPU(server)
    guard let swift = setup.produce(plan(repository, rate: serverRate), extraEnvironment: ["MLFLOW_TRACKING_URI": server.url])
    else { return failures.append("server: Swift producer failed") }
    let requests = Self.requests(in: server.log) - requestsBefore
    let cpu = Self.serverCPU(server) - cpuBefore
    let stored = await linked(swift.modelID, "traces") - 50
    var swiftRow = row("server: Swift MLflowTracing", swift, offered: serverRate, stored: stored, requests: requests)
    swiftRow.serverCPU = cpu
    Self.add(&rows, swiftRow)
    check(swift, stored: stored, spans: await linked(swift.modelID, "spans") - 150, label: "server", &failures)
    oracle(uri: server.url, modelID: swift.modelID, expected: swift.produced + 50, label: "server", &failures)
    await ui(server: server, modelID: swift.modelID, label: "server", &failures)
    guard python else { return }
    say("server: Python at \(Int(serverRate)) traces/s …")
    let pythonRepository = setup.repository("app-server-python", database: false)
    let pythonBefore = Self.requests(in: server.log)
    let pythonCPUBefore = Self.serverCPU(server)
    guard let report = setup.producePython(
      repository: pythonRepository, trackingURI: server.url, seconds: seconds, rate: serverRate, threads: tasks,
      drainLimit: drainLimit)
    else { return failures.append("server: Python producer failed") }
    let pythonRequests = Self.requests(in: server.log) - pythonBefore
    let pythonCPU = Self.serverCPU(server) - pythonCPUBefore
    let pythonStored = await linked(report.model_id, "traces") - 50
    var pythonServerRow = pythonRow(
      "server: Python async export", report, offered: serverRate, stored: pythonStored, requests: pythonRequests)
    pythonServerRow.serverCPU = pythonCPU
    Self.add(&rows, pythonServerRow)
  }

  /// Every trace produced is stored, with its 3 spans; none spilled for good or dropped.
  private func check(_ report: Producer.Report, stored: Int, spans: Int, label: String, _ failures: inout [String]) {
    if stored != report.produced || spans != 3 * report.produced {
      failures.append("\(label): \(stored) of \(report.produced) traces and \(spans) of \(3 * report.produced) spans stored")
    }
    if report.dropped > 0 { failures.append("\(label): \(report.dropped) traces dropped") }
  }

  /// Python's `search_traces(model_id=…)` returns exactly `expected` traces, each with its 3
  /// spans. Python loads spans at a few hundred traces a second, so past `oracleSpansLimit`
  /// traces it counts them all without spans and loads the spans of the newest
  /// `oracleSpansLimit` (every trace's spans are counted in the store as well). It reads
  /// through `MlflowClient.search_traces` in pages of 50,000 (MLflow's largest): the fluent
  /// `mlflow.search_traces` asks for pages of 100, and each page's token is an offset the store
  /// counts up to again, so reading a load run's 300,000 traces that way takes time quadratic in
  /// their number (more than 10 minutes here).
  private func oracle(uri: String, modelID: String, expected: Int, label: String, _ failures: inout [String]) {
    let withSpans = min(expected, oracleSpansLimit)
    let code = """
      import json, time
      from mlflow import MlflowClient
      client = MlflowClient()
      # The Default experiment, where the load's versions and traces are (the UI check reads it too).
      def search(max_results, include_spans, token=None):
          return client.search_traces(
              locations=["0"], model_id="\(modelID)", max_results=max_results, page_token=token, include_spans=include_spans)
      start = time.perf_counter()
      everything, token = [], None
      while True:
          page = search(50000, \(expected <= oracleSpansLimit ? "True" : "False"), token)
          everything += page
          token = page.token
          if not token:
              break
      newest = everything if \(expected <= oracleSpansLimit ? "True" : "False") else search(\(withSpans), True)
      print(json.dumps({"count": len(everything), "ids": len({t.info.trace_id for t in everything}),
                        "complete": sum(1 for t in newest if len(t.data.spans) == 3), "checked": len(newest),
                        "seconds": time.perf_counter() - start}))
      """
    guard let answer = setup.pythonJSON(code, trackingURI: uri) else {
      return failures.append("\(label): Python's search_traces failed")
    }
    let count = answer["count"] as? Int ?? -1
    let complete = answer["complete"] as? Int ?? -1
    let ids = answer["ids"] as? Int ?? -1
    let checked = answer["checked"] as? Int ?? -1
    say(
      "  oracle: Python search_traces(model_id=…) → \(count) traces (\(ids) distinct), expected \(expected); \(complete) of the "
        + "\(checked) loaded with spans have their 3 spans (\(formatDuration(answer["seconds"] as? Double ?? .nan)))")
    if count != expected || ids != expected || complete != withSpans || checked != withSpans {
      failures.append("\(label): search_traces returned \(count) traces (\(complete) of \(checked) complete), expected \(expected)")
    }
  }

  /// The MLflow UI's trace list for the version loads: its API request answers a page of
  /// traces, and headless Chromium renders the Traces tab with one of them.
  private func ui(backendURI: String, modelID: String, label: String, _ failures: inout [String]) async {
    do {
      let server = try await MLflowServer.started(backendURI: backendURI, directory: setup.root + "/ui-server")
      defer { server.stop() }
      await ui(server: server, modelID: modelID, label: label, &failures)
    } catch {
      failures.append("\(label): mlflow server for the UI did not start: \(error)")
    }
  }

  private func ui(server: MLflowServer, modelID: String, label: String, _ failures: inout [String]) async {
    do {
      let start = monotonicSeconds()
      let answer = try await server.call(
        "/ajax-api/3.0/mlflow/traces/search", method: "POST",
        body: [
          "locations": [["type": "MLFLOW_EXPERIMENT", "mlflow_experiment": ["experiment_id": "0"]]],
          "filter": "request_metadata.\"mlflow.modelId\" = '\(modelID)'", "max_results": 100,
          "order_by": ["timestamp_ms DESC"],
        ])
      let traces = answer["traces"] as? [[String: Any]] ?? []
      let listed = monotonicSeconds() - start
      guard let first = traces.first?["trace_id"] as? String, traces.count == 100 else {
        return failures.append("\(label): the UI's trace search answered \(traces.count) traces")
      }
      let profile = setup.root + "/chromium-" + label.replacingOccurrences(of: ".", with: "-")
      let page = try await HeadlessChromium.run(
        ["--dump-dom"], url: "\(server.url)/#/experiments/0/models/\(modelID)/traces", profile: profile
      ).standardOutputText
      let shown = traces.compactMap { $0["trace_id"] as? String }.filter { page.contains($0) }.count
      say("  UI: trace list API answered 100 traces in \(formatDuration(listed)); the Traces tab shows \(shown) of them")
      if shown == 0 { failures.append("\(label): the Traces tab in Chromium shows none of the traces (first \(first))") }
    } catch {
      failures.append("\(label): the UI check failed: \(error)")
    }
  }

  /// CPU seconds (user + system) of the server's processes and of every PostgreSQL process.
  static func serverCPU(_ server: MLflowServer) -> Double {
    let members = Set(server.processGroupMembers())
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    var total = 0.0
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
      guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { continue }
      let name = stat[stat.index(after: stat.firstIndex(of: "(")!)..<close]
      guard members.contains(pid) || name == "postgres" else { continue }
      let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
      // After the name: state is field 3, utime field 14 and stime field 15 (1-based in proc(5)).
      if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) { total += (user + system) / ticks }
    }
    return total
  }

  /// HTTP requests in an `mlflow server` log (uvicorn's access lines), health checks aside.
  static func requests(in log: String) -> Int {
    log.split(separator: "\n").filter { $0.contains(" HTTP/1.1\" ") && !$0.contains("/health") }.count
  }
}
