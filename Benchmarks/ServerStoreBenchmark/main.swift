// Times the two calls git-based versioning makes against a tracking server — a model lookup
// by git tags and a model creation — from Swift (RESTTrackingStore) and from Python MLflow
// 3.17.2's client in a warm process, against the same local `mlflow server`, and prints the
// medians side by side with their ratios. It starts and stops its own server.
//
// Usage: swift run -c release --scratch-path .build-server ServerStoreBenchmark [samples]

import BenchmarkSupport
import ChildProcess
import Foundation
import MLflowServerStore
import MLflowStore

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("ServerStoreBenchmark: \(message)\n".utf8))
  exit(1)
}

func gitTags(commit: String) -> [(key: String, value: String)] {
  [
    ("mlflow.source.git.branch", "main"), ("mlflow.source.git.commit", commit),
    ("mlflow.source.git.dirty", "false"), ("mlflow.source.git.repoURL", "https://git.example.com/acme/app.git"),
  ]
}

func randomCommit() -> String { (0..<40).map { _ in String("0123456789abcdef".randomElement()!) }.joined() }

let samples = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 30 : 30
let python = referencePython()
let mlflow = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("mlflow").path
var environment = ProcessInfo.processInfo.environment
environment["MLFLOW_DISABLE_TELEMETRY"] = "true"
environment["DO_NOT_TRACK"] = "true"
environment["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
for key in ["MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_TOKEN"] {
  environment[key] = nil
}

// The server: a fresh SQLite database, one worker, in its own process group.
let directory = NSTemporaryDirectory() + "server-store-benchmark-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }
let database = TrackingURI.sqlite(path: directory + "/mlflow.db").description
setupShell("'\(mlflow)' db upgrade '\(database)' >/dev/null 2>&1", environment: environment)
let port = Int.random(in: 20_000..<40_000)
let serverURL = "http://127.0.0.1:\(port)"
let serverPID = setupShell(
  "cd '\(directory)' && setsid '\(mlflow)' server --backend-store-uri '\(database)' --host 127.0.0.1 --port \(port) "
    + "--workers 1 >server.log 2>&1 </dev/null & echo $!", environment: environment
).trimmingCharacters(in: .whitespacesAndNewlines)
guard let leader = pid_t(serverPID) else { fail("could not start mlflow server") }
func stopServer() {
  kill(-leader, SIGTERM)
  for _ in 0..<30 where kill(-leader, 0) == 0 { usleep(100_000) }
  kill(-leader, SIGKILL)
}

guard let store = try? RESTTrackingStore(serverURL: serverURL, configuration: .init(maxRetries: 0)) else {
  stopServer()
  fail("bad server URL")
}
var healthy = false
for _ in 0..<600 where !healthy {
  healthy = (try? await store.experiment(id: "0")) != nil
  if !healthy { try await Task.sleep(for: .milliseconds(200)) }
}
guard healthy else { stopServer(); fail("mlflow server did not start") }

// 200 versions of other commits, and the one looked up.
for _ in 0..<200 {
  _ = try await store.createLoggedModel(
    experimentID: "0", name: nil, tags: Dictionary(uniqueKeysWithValues: gitTags(commit: randomCommit()).map { ($0.key, $0.value) }))
}
let target = gitTags(commit: randomCommit())
let targetTags = Dictionary(uniqueKeysWithValues: target.map { ($0.key, $0.value) })
_ = try await store.createLoggedModel(experimentID: "0", name: nil, tags: targetTags)
let filter = try MLflowFilter.tagsEqual(target)

// Swift, warm: the same store, after a few warm-up calls.
var swiftLookup = Measurement("Swift RESTTrackingStore: lookup by git tags")
var swiftCreate = Measurement("Swift RESTTrackingStore: create a model")
for _ in 0..<5 { _ = try await store.searchLoggedModels(LoggedModelSearch(experimentIDs: ["0"], tags: targetTags, maxResults: 1)) }
for _ in 0..<samples {
  swiftLookup.add([try await timed {
    let page = try await store.searchLoggedModels(LoggedModelSearch(experimentIDs: ["0"], tags: targetTags, maxResults: 1))
    guard page.models.count == 1 else {
      stopServer()
      fail("lookup found \(page.models.count) models")
    }
  }])
  swiftCreate.add([try await timed {
    _ = try await store.createLoggedModel(experimentID: "0", name: nil, tags: ["benchmark": "swift"])
  }])
}

// Python, warm: one process, after importing mlflow and warming up.
let script = """
  import json, sys, time
  import mlflow
  from mlflow import MlflowClient
  filter_string, samples = sys.argv[1], int(sys.argv[2])
  client = MlflowClient()
  def lookup():
      found = mlflow.search_logged_models(filter_string=filter_string, max_results=1, output_format="list")
      assert len(found) == 1, found
  for _ in range(5):
      lookup()
  lookups, creates = [], []
  for _ in range(samples):
      start = time.perf_counter(); lookup(); lookups.append(time.perf_counter() - start)
      start = time.perf_counter(); client.create_logged_model(experiment_id="0", tags={"benchmark": "python"})
      creates.append(time.perf_counter() - start)
  print(json.dumps({"lookup": lookups, "create": creates}))
  """
var pythonEnvironment = environment
pythonEnvironment["MLFLOW_TRACKING_URI"] = serverURL
let output = try ChildProcess.run(python, arguments: ["-c", script, filter, String(samples)], environment: pythonEnvironment)
stopServer()
guard output.succeeded,
  let json = try JSONSerialization.jsonObject(with: Data(output.standardOutputText.split(separator: "\n").last.map { Array($0.utf8) } ?? [])) as? [String: [Double]]
else { fail("the Python timing failed: \(output.standardErrorText.suffix(2000))") }
var pythonLookup = Measurement("Python MLflow 3.17.2 client: lookup by git tags")
var pythonCreate = Measurement("Python MLflow 3.17.2 client: create a model")
pythonLookup.add(json["lookup"] ?? [])
pythonCreate.add(json["create"] ?? [])

print("ServerStoreBenchmark: mlflow server 3.17.2 (1 worker, SQLite) on 127.0.0.1, 201 models, \(samples) samples each")
print("Lookup by git tags (POST /api/2.0/mlflow/logged-models/search, max_results 1):")
print(swiftLookup.line)
print(pythonLookup.line)
printRatio("Python / Swift", pythonLookup.median / swiftLookup.median, target: "≥ 1")
print("Create a model (POST /api/2.0/mlflow/logged-models):")
print(swiftCreate.line)
print(pythonCreate.line)
printRatio("Python / Swift", pythonCreate.median / swiftCreate.median, target: "≥ 1")
