// What tracing costs an app, in one run, next to Python MLflow 3.17.2's @mlflow.trace doing the
// same: the per-span overhead on the caller's path, and the export throughput into mlflow.db.
// The traced unit is an agent step (root + 2 child spans, small inputs and outputs dicts), with
// Git versioning enabled in both languages on the same repository, so every trace links to the
// same version; exported traces and spans are counted in mlflow.db, never assumed.
//
//   swift run -c release TracingBenchmark [--rounds N] [--traces N] [--warm-up N] [--swift-only]
//
// Run from the package root; --swift-only skips Python (e.g. to profile the Swift side). Rounds
// interleave the candidates; medians over rounds.
//
// Two more benchmarks share the agent step:
//
//   swift run -c release TracingBenchmark load [--seconds 60] [--rate 5000] [--server-rate 1000]
//       [--tasks 16] [--prefill N] [--stores sqlite,server] [--no-python] [--drain-limit 120] [--oracle-spans 20000]
//   swift run -c release TracingBenchmark growth [--traces 20000] [--sizes 0,100000,1000000] [--prefill-cache DIR]
//   swift run -c release TracingBenchmark ceiling [--traces 5000] [--rounds 5]
//
// `load`: a server's load (16 tasks at a fixed rate) against mlflow.db and against a local
// `mlflow server` on PostgreSQL, next to Python's async export under the same load; then Python
// (search_traces) and the MLflow UI check what was stored (LoadBenchmark). `growth`: export
// throughput into mlflow.db as it grows to a million traces (GrowthBenchmark). `ceiling`: the CPU
// one trace costs on the caller's path and in the store, each alone, and what one core does
// (CeilingBenchmark).

import BenchmarkSupport
import ChildProcess
import GitVersioning
import MLflowTracing

#if canImport(Glibc)
import Glibc
#endif

if let status = await runSubcommand(Array(CommandLine.arguments.dropFirst())) { exit(status) }

var rounds = 5
var traces = 300
var warmUp = 50
var swiftOnly = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
  if argument == "--swift-only" {
    swiftOnly = true
    continue
  }
  switch (argument, arguments.next().flatMap { Int($0) }) {
  case ("--rounds", let value?) where value > 0: rounds = value
  case ("--traces", let value?) where value > 0: traces = value
  case ("--warm-up", let value?) where value >= 0: warmUp = value
  default:
    print("usage: TracingBenchmark [--rounds N] [--traces N] [--warm-up N] [--swift-only]")
    exit(2)
  }
}

let python = referencePython()
let mlflow = String(python.dropLast("python".count)) + "mlflow"
let root = setupShell("mktemp -d /tmp/mlflow-git-tracing-bench-XXXXXX").trimmingWhitespace()
/// Removes the scratch directory (a top-level `defer` does not run at exit) and exits.
func finish(_ status: Int32) -> Never {
  setupShell("rm -rf '\(root)'")
  exit(status)
}
let repository = root + "/app"
let databasePath = repository + "/mlflow.db"

let environment = benchmarkEnvironment(mlflowExecutable: mlflow)

setupShell(
  "git init -q '\(repository)' && cd '\(repository)' && echo 'agent' > agent.txt"
    + " && git add -A && git -c user.name=b -c user.email=b@b commit -q -m init"
    + " && git remote add origin https://git.example.com/acme/agent.git"
    + " && '\(mlflow)' db upgrade sqlite:///\(databasePath) > /dev/null 2>&1",
  environment: environment)

let context = await enableGitModelVersioning(
  options: GitVersioningOptions(directory: repository, environment: environment, indexVerification: .never))
guard let modelID = context.activeModel?.modelID else {
  print("setup failed: Git versioning did not start: \(String(describing: context.problem))")
  finish(1)
}

let swift = SwiftCandidate(count: LinkedTraceCount(databasePath: databasePath, modelID: modelID))
let pythonCandidates = [false, true].map {
  PythonCandidate(
    python: python, script: packageRoot() + "/Benchmarks/TracingBenchmark/python_trace.py", repository: repository,
    databasePath: databasePath, environment: environment, asyncExport: $0)
}

print("TracingBenchmark: tracing an agent step (root + 2 child spans), Swift MLflowTracing vs Python MLflow 3.17.2")
print("\(rounds) rounds × \(traces) traces (\(traces * AgentStep.spans) spans), interleaved; medians over rounds")
print("model \(modelID) (both languages), \(databasePath)")
print("")

await swift.warmUp(traces: warmUp)
var swiftAsync: [TracingRound] = []
var swiftSync: [TracingRound] = []
var pythonRounds: [[TracingRound]] = [[], []]
var failures: [String] = []
for round in 0..<rounds {
  // Alternate which Swift variant goes first, so neither always follows a Python process.
  let order: [SwiftCandidate.Closures] = round % 2 == 0 ? [.async, .sync] : [.sync, .async]
  for closures in order {
    let measured = await swift.round(traces: traces, closures: closures)
    if let shortfall = measured.shortfall { failures.append("Swift (\(closures)) round \(round + 1): \(shortfall)") }
    if closures == .async { swiftAsync.append(measured) } else { swiftSync.append(measured) }
  }
  for (index, candidate) in pythonCandidates.enumerated() where !swiftOnly {
    guard let (measured, pythonModelID) = candidate.round(traces: traces, warmUp: warmUp) else { finish(1) }
    if pythonModelID != modelID { failures.append("\(candidate.label): linked to \(pythonModelID), not \(modelID)") }
    if let shortfall = measured.shortfall { failures.append("\(candidate.label) round \(round + 1): \(shortfall)") }
    pythonRounds[index].append(measured)
  }
}

func median(_ values: [Double]) -> Double {
  var measurement = Measurement("")
  measurement.add(values)
  return measurement.median
}

func overhead(_ rounds: [TracingRound]) -> Double { median(rounds.map(\.overheadPerSpan)) }
func throughput(_ rounds: [TracingRound]) -> Double { median(rounds.map(\.throughput)) }

let candidates: [(String, [TracingRound])] = [
  ("Swift trace { } (async closures)", swiftAsync),
  ("Swift trace { } (sync closures)", swiftSync),
  (pythonCandidates[1].label, pythonRounds[1]),
  (pythonCandidates[0].label, pythonRounds[0]),
].filter { !$0.1.isEmpty }
print("Caller-path overhead per span ((traced − untraced) / spans)")
for (name, measured) in candidates {
  print("  " + name.padding(to: 58) + " " + formatDuration(overhead(measured)).padding(to: 9) + " (n=\(measured.count))")
}
print("")
print("Export throughput (first trace → all \(traces) counted in mlflow.db)")
for (name, measured) in candidates {
  let rate = String(Int(throughput(measured).rounded())) + " traces/s"
  print("  " + name.padding(to: 58) + " " + rate.padding(to: 16) + " (n=\(measured.count))")
}
if swiftOnly {
  if !failures.isEmpty { print(failures.joined(separator: "\n")) }
  finish(failures.isEmpty ? 0 : 1)
}
print("")
let swiftOverhead = overhead(swiftAsync)
let versusAsync = overhead(pythonRounds[1]) / swiftOverhead
let versusSync = overhead(pythonRounds[0]) / swiftOverhead
printRatio("Caller path: Python async export / Swift (async)", versusAsync, target: "≥ 10×")
printRatio("Caller path: Python sync export / Swift (async)", versusSync, target: "≥ 10×")
printRatio("Throughput: Swift / Python async export", throughput(swiftAsync) / throughput(pythonRounds[1]), target: "≥ 1×")
printRatio("Throughput: Swift / Python sync export", throughput(swiftAsync) / throughput(pythonRounds[0]), target: "≥ 1×")
print("")
print("Target (caller path ≥ 10× lower than Python's async export): " + (versusAsync >= 10 ? "met" : "NOT met"))
if !failures.isEmpty {
  print("")
  print("NOT all traces reached mlflow.db:")
  for failure in failures { print("  " + failure) }
  finish(1)
}
finish(0)
