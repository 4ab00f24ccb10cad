// Times `mlflow-git compare` over two versions with 10,000 traces each in mlflow.db, next to the
// same figures computed in Python from `mlflow.search_traces` in the same run, then the same
// comparison against a local `mlflow server` on that database.
//
//   swift run -c release CompareBenchmark [--traces N] [--runs N] [--python-runs N] [--cli PATH]
//
// Run from the package root. Medians of whole processes (`mlflow-git compare` as users run it;
// Python with `import mlflow`, and separately the time after the import). The traces are
// written with MLflow's own rows by SQLiteTrackingStore (a root span and a chat span each, with
// token usage and cost), their feedback as MLflow's `assessments` rows, into a database on tmpfs
// (/dev/shm) when there is one, so filling 20,000 traces does not wait for 20,000 fsyncs.

import BenchmarkSupport
import ChildProcess
import GitVersioning
import MLflowStore

#if canImport(Glibc)
import Glibc
#endif

let arguments = BenchmarkArguments(
  usage: "usage: CompareBenchmark [--traces N] [--runs N] [--python-runs N] [--cli PATH]",
  numbers: ["--traces": 10_000, "--runs": 7, "--python-runs": 3])
let tracesPerVersion = arguments["--traces"]
let runs = arguments["--runs"]
let pythonRuns = arguments["--python-runs"]

let python = referencePython()
let mlflow = mlflowExecutable(nextTo: python)
let pythonScript = packageRoot() + "/Benchmarks/CompareBenchmark/python_compare.py"
let cli = arguments.cliPath
let tmpfs = setupShell("test -d /dev/shm -a -w /dev/shm && echo /dev/shm || echo /tmp").trimmingWhitespace()
let root = setupShell("mktemp -d \(tmpfs)/mlflow-git-compare-bench-XXXXXX").trimmingWhitespace()
let repo = root + "/repo"
let environment = benchmarkEnvironment(mlflowExecutable: mlflow)

// A repository with `main` and a feature branch one commit ahead, MLflow's database at its top,
// and a version for each (registered as the hooks would).
setupShell(
  "git init -q -b main '\(repo)' && cd '\(repo)' && echo v1 > agent.py && git add -A"
    + " && git -c user.name=b -c user.email=b@b commit -q -m init"
    + " && git remote add origin https://git.example.com/acme/agent.git"
    + " && '\(mlflow)' db upgrade sqlite:///\(repo)/mlflow.db > /dev/null 2>&1",
  environment: environment)
let options = GitVersioningOptions(directory: repo, environment: environment, indexVerification: .never)
let modelA = try await VersionResolution.resolve(options: options).modelID
setupShell(
  "cd '\(repo)' && git checkout -q -b feature/prompt && echo v2 > agent.py"
    + " && git -c user.name=b -c user.email=b@b commit -q -am 'Shorter prompt'", environment: environment)
let modelB = try await VersionResolution.resolve(options: options).modelID

/// SplitMix64: the same traces in every run.
struct Generator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in [0, 1).
  mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// One trace of the support agent as MLflow stores it: root `support_agent` (one in ten
/// `lookup`) around a chat span, a log-normal duration around `medianMilliseconds`, token usage
/// and cost, and `errorRate` of them failed.
func agentTrace(modelID: String, index: Int, medianMilliseconds: Double, errorRate: Double, random: inout Generator)
  -> Trace
{
  let traceID = TraceInfo.newTraceID()
  let start = Int64(1_790_000_000_000) + Int64(index) * 30_000
  let normal = (0..<6).reduce(0.0) { sum, _ in sum + random.unit() } - 3  // close enough to a normal deviate
  let duration = Int64(medianMilliseconds * exp(0.45 * normal))
  let failed = random.unit() < errorRate
  let name = index % 10 == 0 ? "lookup" : "support_agent"
  let input = 40 + Int(random.next() % 60)
  let output = 10 + Int(random.next() % 40)
  var info = TraceInfo(
    traceID: traceID, experimentID: "0", requestTime: start, executionDuration: duration,
    state: failed ? .error : .ok, requestPreview: #"{"question": "How do I share a folder?"}"#,
    responsePreview: failed ? nil : #""Open the folder and choose Share.""#)
  info.metadata = [
    TraceInfo.modelIDKey: modelID, TraceInfo.schemaVersionKey: "3", "mlflow.user": "bench",
    "mlflow.trace.tokenUsage": #"{"input_tokens": \#(input), "output_tokens": \#(output), "total_tokens": \#(input + output)}"#,
    "mlflow.trace.cost": #"{"input_cost": \#(Double(input) * 1.5e-7), "output_cost": \#(Double(output) * 6e-7), "total_cost": \#(Double(input) * 1.5e-7 + Double(output) * 6e-7)}"#,
  ]
  info.tags = [TraceInfo.traceNameKey: name]
  let root = Span(
    traceID: traceID, spanID: Identifiers.randomHex(bytes: 8), name: name, type: .agent,
    status: failed ? Span.Status(.error, message: "the chat API failed") : .ok, startTime: start * 1_000_000,
    endTime: (start + duration) * 1_000_000, inputs: #"{"question": "How do I share a folder?"}"#,
    outputs: failed ? nil : #""Open the folder and choose Share.""#)
  let chat = Span(
    traceID: traceID, spanID: Identifiers.randomHex(bytes: 8), parentSpanID: root.spanID, name: "Completions",
    type: .chatModel, startTime: start * 1_000_000 + 1_000_000, endTime: (start + duration) * 1_000_000 - 1_000_000,
    inputs: #"{"messages": [{"role": "user", "content": "How do I share a folder?"}]}"#,
    outputs: #"{"choices": [{"message": {"role": "assistant", "content": "Open the folder and choose Share."}}]}"#,
    attributes: [
      "mlflow.chat.tokenUsage": #"{"input_tokens": \#(input), "output_tokens": \#(output), "total_tokens": \#(input + output)}"#
    ])
  return Trace(info: info, spans: [root, chat])
}

print("CompareBenchmark: mlflow-git compare vs the same figures from Python MLflow 3.17.2's search_traces")
print("2 versions × \(tracesPerVersion) traces (root + chat span, tokens, cost, 2 feedbacks each) in mlflow.db on \(tmpfs)")
let filling = monotonicSeconds()
let store = try SQLiteTrackingStore(databasePath: repo + "/mlflow.db")
var random = Generator(state: 15)
for (modelID, median, errors) in [(modelA, 800.0, 0.03), (modelB, 650.0, 0.02)] {
  for index in 0..<tracesPerVersion {
    _ = try await store.logTrace(
      agentTrace(modelID: modelID, index: index, medianMilliseconds: median, errorRate: errors, random: &random))
  }
}
// Feedback as MLflow's log_feedback stores it: a person's boolean and a judge's score per trace.
setupShell(
  "sqlite3 '\(repo)/mlflow.db' \"INSERT INTO assessments (assessment_id, trace_id, name, assessment_type, value, "
    + "created_timestamp, last_updated_timestamp, source_type, source_id, valid, experiment_id, trace_timestamp_ms, "
    + "aggregate_value, is_numeric_value) SELECT 'a-' || lower(hex(randomblob(16))), request_id, 'helpful', 'feedback', "
    + "CASE WHEN abs(random()) % 4 = 0 THEN 'false' ELSE 'true' END, timestamp_ms, timestamp_ms, 'HUMAN', 'reviewer', 1, 0, "
    + "timestamp_ms, NULL, 0 FROM trace_info; UPDATE assessments SET aggregate_value = (value = 'true'); "
    + "INSERT INTO assessments (assessment_id, trace_id, name, assessment_type, value, created_timestamp, "
    + "last_updated_timestamp, source_type, source_id, valid, experiment_id, trace_timestamp_ms, aggregate_value, "
    + "is_numeric_value) SELECT 'a-' || lower(hex(randomblob(16))), request_id, 'accuracy', 'feedback', "
    + "CAST((abs(random()) % 101) / 100.0 AS TEXT), timestamp_ms, timestamp_ms, 'LLM_JUDGE', 'judge', 1, 0, timestamp_ms, "
    + "NULL, 1 FROM trace_info; UPDATE assessments SET aggregate_value = CAST(value AS REAL) WHERE name = 'accuracy';\"")
print("(filled in \(formatDuration(monotonicSeconds() - filling)))")
print("")

func compareProcess(_ arguments: [String], _ variables: [String: String]) -> String {
  let output = mustRun(
    "sh", ["-c", "cd '\(repo)' && exec \"$@\"", "sh", cli, "compare"] + arguments + ["--json"], environment: variables)
  return String(decoding: output, as: UTF8.self)
}

/// Ours and Python's figures of both versions agree (the oracle tests check every figure; this
/// makes sure the timed work is the same work).
func agree(_ ours: String, _ python: String) -> Bool {
  guard let report = JSONValue.parse(ours), let pythonFigures = JSONValue.parse(python)?["figures"] else { return false }
  return [("a", modelA), ("b", modelB)].allSatisfy { side, model in
    let figures = report["behaviour"]?[side]
    let expected = pythonFigures[model]
    return figures?["traces"] == expected?["traces"] && figures?["errors"] == expected?["errors"]
      && figures?["latencyMs"]?["p95"].flatMap(number) == expected?["p95"].flatMap(number)
  }
}

func number(_ value: JSONValue) -> Double? {
  switch value {
  case .integer(let integer): Double(integer)
  case .double(let double): double
  default: nil
  }
}

func pythonSeconds(_ output: String) -> Double { JSONValue.parse(output)?["seconds"].flatMap(number) ?? .nan }

var ours = Measurement("mlflow-git compare A B --json (whole process)")
var oursDefaults = Measurement("mlflow-git compare --json (merge base vs current state)")
var pythonProcess = Measurement("python: import mlflow + search_traces + figures")
var pythonAfterImport = Measurement("python: search_traces + figures (after the import)")
var oursServer = Measurement("mlflow-git compare A B --json, mlflow server")
var pythonServer = Measurement("python: search_traces + figures, mlflow server")

let local = environment.merging(["MLFLOW_TRACKING_URI": "sqlite:///\(repo)/mlflow.db"]) { $1 }
let oursOutput = compareProcess([modelA, modelB], local)  // warms the page cache and the index
var pythonOutput = ""
for _ in 0..<runs { ours.time { _ = compareProcess([modelA, modelB], local) } }
for _ in 0..<runs { oursDefaults.time { _ = compareProcess([], local) } }
for _ in 0..<pythonRuns {
  pythonProcess.time {
    pythonOutput = String(decoding: mustRun(python, [pythonScript, modelA, modelB], environment: local), as: UTF8.self)
  }
  pythonAfterImport.add([pythonSeconds(pythonOutput)])
}
let agreeLocally = agree(oursOutput, pythonOutput)

let server = LocalMLflowServer(
  mlflow: mlflow, python: python, backendURI: "sqlite:///\(repo)/mlflow.db", directory: root, environment: environment)
let remote = environment.merging(["MLFLOW_TRACKING_URI": server.url]) { $1 }
var serverOutput = compareProcess([modelA, modelB], remote)
for _ in 0..<max(1, runs / 2) { oursServer.time { serverOutput = compareProcess([modelA, modelB], remote) } }
let pythonServerOutput = String(
  decoding: mustRun(python, [pythonScript, modelA, modelB], environment: remote), as: UTF8.self)
pythonServer.add([pythonSeconds(pythonServerOutput)])
server.stop()

for measurement in [ours, oursDefaults, pythonProcess, pythonAfterImport, oursServer, pythonServer] {
  print(measurement.line)
}
print("")
printRatio("Python whole process / mlflow-git compare", pythonProcess.median / ours.median, target: "≥ 20×")
printRatio("Python after import / mlflow-git compare", pythonAfterImport.median / ours.median)
printRatio("Python after import / mlflow-git compare, server", pythonServer.median / oursServer.median)
print("  mlflow-git compare median \(formatDuration(ours.median)) (target ≤ 1 s)")
print(
  "  figures agree with Python's (traces, errors, p95 of both versions): mlflow.db \(agreeLocally ? "yes" : "NO"), "
    + "server \(agree(serverOutput, pythonServerOutput) ? "yes" : "NO")")
print("  load average: " + setupShell("cat /proc/loadavg").trimmingWhitespace())
setupShell("rm -rf '\(root)'")  // a top-level `defer` would not run at exit
