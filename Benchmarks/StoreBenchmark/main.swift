// Times the two store operations git-based versioning does on every run — a model lookup by
// git tags and a model creation — in Swift (SQLiteTrackingStore) and in Python MLflow 3.17.2,
// against the same mlflow.db, and prints the medians and their ratios.
//
// Usage: swift run -c release --scratch-path .build-store StoreBenchmark [rounds]
//
// Each round runs, one after the other: the Swift operations in this process, one warm Python
// process timing the same operations (after importing mlflow and warming up), one whole
// `python -c "import mlflow; …lookup…"` process, and one whole Swift process doing one lookup.
// Medians are over all samples of all rounds; interleaving spreads the noise of a busy machine
// over both sides.

import ChildProcess
import Foundation
import MLflowStore

/// Milliseconds elapsed running `body`.
func milliseconds(_ body: () async throws -> Void) async rethrows -> Double {
  let start = ContinuousClock.now
  try await body()
  let elapsed = ContinuousClock.now - start
  return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}

func median(_ samples: [Double]) -> Double {
  let sorted = samples.sorted()
  guard !sorted.isEmpty else { return .nan }
  let middle = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("StoreBenchmark: \(message)\n".utf8))
  exit(1)
}

/// The git tags of a clean checkout of `commit`, in the order Python's filter lists them.
func gitTags(commit: String) -> [(key: String, value: String)] {
  [
    ("mlflow.source.git.branch", "main"),
    ("mlflow.source.git.commit", commit),
    ("mlflow.source.git.dirty", "false"),
    ("mlflow.source.git.repoURL", "https://git.example.com/acme/app.git"),
  ]
}

func randomCommit() -> String {
  (0..<40).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
}

func dictionary(_ pairs: [(key: String, value: String)]) -> [String: String] {
  Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, $0.value) })
}

// A whole Swift process: open the store, look one model up, print its ID, exit.
if CommandLine.arguments.count == 4, CommandLine.arguments[1] == "lookup-once" {
  do {
    let store = try SQLiteTrackingStore(databasePath: CommandLine.arguments[2], options: .init(createIfMissing: false))
    let page = try await store.searchLoggedModels(
      LoggedModelSearch(
        experimentIDs: ["0"], tags: dictionary(gitTags(commit: CommandLine.arguments[3])),
        selectiveTagKey: "mlflow.source.git.commit", maxResults: 1))
    print(page.models.first?.modelID ?? "none")
    exit(0)
  } catch {
    fail("\(error)")
  }
}

let rounds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 5 : 5
let packageRoot: String = {
  var url = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { url.deleteLastPathComponent() }
  return url.path
}()
let python: String = {
  if let configured = ProcessInfo.processInfo.environment["MLFLOW_GIT_PYTHON"], !configured.isEmpty { return configured }
  guard let output = try? ChildProcess.run("/bin/bash", arguments: [packageRoot + "/scripts/setup-python.sh"]),
    output.succeeded
  else { fail("set MLFLOW_GIT_PYTHON or make scripts/setup-python.sh work") }
  return output.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)
}()
let mlflowExecutable = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("mlflow").path
var environment = ProcessInfo.processInfo.environment
environment["MLFLOW_DISABLE_TELEMETRY"] = "true"
environment["DO_NOT_TRACK"] = "true"
for key in ["MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID", "MLFLOW_ACTIVE_MODEL_ID"] { environment[key] = nil }

let directory = NSTemporaryDirectory() + "store-benchmark-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
let databasePath = directory + "/mlflow.db"
environment["MLFLOW_TRACKING_URI"] = TrackingURI.sqlite(path: databasePath).description

// The database: created by `mlflow db upgrade`, with 1000 versions of other commits (a few years
// of a busy repository) and the one looked up.
let seededModels = 1000
let store = try SQLiteTrackingStore(
  databasePath: databasePath, options: .init(mlflowExecutable: mlflowExecutable, environment: environment))
for _ in 0..<seededModels {
  _ = try await store.createLoggedModel(experimentID: "0", name: nil, tags: dictionary(gitTags(commit: randomCommit())))
}
let targetCommit = randomCommit()
let target = try await store.createLoggedModel(experimentID: "0", name: "target", tags: dictionary(gitTags(commit: targetCommit)))
let targetTags = dictionary(gitTags(commit: targetCommit))
let filter = try MLflowFilter.tagsEqual(gitTags(commit: targetCommit))

let warmScript = """
  import json, sys, time, uuid
  import mlflow
  from mlflow import MlflowClient
  filter_string, lookups, creations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
  client = MlflowClient()
  def lookup():
      found = mlflow.search_logged_models(filter_string=filter_string, max_results=1, output_format="list")
      assert len(found) == 1, found
  for _ in range(3):
      lookup()
  lookup_ms = []
  for _ in range(lookups):
      start = time.perf_counter(); lookup(); lookup_ms.append((time.perf_counter() - start) * 1000)
  tags = {"mlflow.source.git.branch": "main", "mlflow.source.git.dirty": "false",
          "mlflow.source.git.repoURL": "https://git.example.com/acme/app.git"}
  create_ms = []
  for _ in range(creations):
      tags["mlflow.source.git.commit"] = uuid.uuid4().hex + uuid.uuid4().hex[:8]
      start = time.perf_counter(); client.create_logged_model(experiment_id="0", tags=tags)
      create_ms.append((time.perf_counter() - start) * 1000)
  print(json.dumps({"lookup_ms": lookup_ms, "create_ms": create_ms}))
  """
let wholeScript = """
  import mlflow, sys
  assert len(mlflow.search_logged_models(filter_string=sys.argv[1], max_results=1, output_format="list")) == 1
  """
let selfExecutable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]

let lookupsPerRound = 50
let creationsPerRound = 20
var swiftLookups: [Double] = []
var swiftScanningLookups: [Double] = []
var swiftCreations: [Double] = []
var swiftColdLookups: [Double] = []
var swiftWholeProcess: [Double] = []
var pythonLookups: [Double] = []
var pythonCreations: [Double] = []
var pythonWholeProcess: [Double] = []

print("StoreBenchmark: \(rounds) interleaved rounds; \(lookupsPerRound) lookups and \(creationsPerRound) creations per round and side")
print("database: \(databasePath) (MLflow schema by `mlflow db upgrade`, \(seededModels + 1) models to start)")
for round in 1...rounds {
  for _ in 0..<lookupsPerRound {
    swiftLookups.append(try await milliseconds {
      let page = try await store.searchLoggedModels(
        LoggedModelSearch(experimentIDs: ["0"], tags: targetTags, selectiveTagKey: "mlflow.source.git.commit", maxResults: 1))
      guard page.models.first?.modelID == target.modelID else { fail("Swift lookup found \(page.models)") }
    })
  }
  for _ in 0..<lookupsPerRound {
    swiftScanningLookups.append(try await milliseconds {
      let page = try await store.searchLoggedModels(LoggedModelSearch(experimentIDs: ["0"], tags: targetTags, maxResults: 1))
      guard page.models.first?.modelID == target.modelID else { fail("Swift lookup found \(page.models)") }
    })
  }
  for _ in 0..<creationsPerRound {
    let tags = dictionary(gitTags(commit: randomCommit()))
    swiftCreations.append(try await milliseconds {
      _ = try await store.createLoggedModel(experimentID: "0", name: nil, tags: tags)
    })
  }
  for _ in 0..<5 {
    swiftColdLookups.append(try await milliseconds {
      let fresh = try SQLiteTrackingStore(databasePath: databasePath, options: .init(createIfMissing: false))
      _ = try await fresh.searchLoggedModels(
        LoggedModelSearch(experimentIDs: ["0"], tags: targetTags, selectiveTagKey: "mlflow.source.git.commit", maxResults: 1))
    })
  }

  let warm = try ChildProcess.run(
    python, arguments: ["-c", warmScript, filter, String(lookupsPerRound), String(creationsPerRound)], environment: environment)
  guard warm.succeeded,
    let json = try? JSONSerialization.jsonObject(with: Data(warm.standardOutput)) as? [String: [Double]]
  else { fail("the warm Python process failed: \(warm.standardErrorText.suffix(2000))") }
  pythonLookups += json["lookup_ms"] ?? []
  pythonCreations += json["create_ms"] ?? []

  var output: ChildProcess.Output?
  pythonWholeProcess.append(try await milliseconds {
    output = try ChildProcess.run(python, arguments: ["-c", wholeScript, filter], environment: environment)
  })
  guard output?.succeeded == true else { fail("python -c lookup failed: \(output?.standardErrorText.suffix(2000) ?? "")") }

  for _ in 0..<5 {
    swiftWholeProcess.append(try await milliseconds {
      output = try ChildProcess.run(selfExecutable, arguments: ["lookup-once", databasePath, targetCommit], environment: environment)
    })
    guard output?.standardOutputText.contains(target.modelID) == true else {
      fail("the Swift lookup process failed: \(output?.standardErrorText ?? "")")
    }
  }
  FileHandle.standardError.write(Data("round \(round)/\(rounds) done\n".utf8))
}

func format(_ value: Double) -> String {
  value >= 100 ? String(format: "%.0f ms", value) : value >= 1 ? String(format: "%.2f ms", value) : String(format: "%.3f ms", value)
}

let rows: [(String, [Double], [Double])] = [
  ("model lookup by git tags (warm)", swiftLookups, pythonLookups),
  ("model creation with 4 tags (warm)", swiftCreations, pythonCreations),
  ("lookup as a whole process", swiftWholeProcess, pythonWholeProcess),
]
print("")
print("operation".padding(toLength: 36, withPad: " ", startingAt: 0)
  + "Swift median".padding(toLength: 16, withPad: " ", startingAt: 0)
  + "Python median".padding(toLength: 16, withPad: " ", startingAt: 0) + "Python / Swift")
for (name, swift, pythonSamples) in rows {
  let swiftMedian = median(swift)
  let pythonMedian = median(pythonSamples)
  print(name.padding(toLength: 36, withPad: " ", startingAt: 0)
    + format(swiftMedian).padding(toLength: 16, withPad: " ", startingAt: 0)
    + format(pythonMedian).padding(toLength: 16, withPad: " ", startingAt: 0)
    + String(format: "%.0fx", pythonMedian / swiftMedian)
    + "   (n = \(swift.count) / \(pythonSamples.count))")
}
print("")
print("Swift lookups start from the commit tag (selectiveTagKey); checking every model instead: median "
  + "\(format(median(swiftScanningLookups))) (n = \(swiftScanningLookups.count)).")
print("Swift: open store (schema check) + lookup, in process: median \(format(median(swiftColdLookups))) (n = \(swiftColdLookups.count))")
print("Python's warm lookup is mlflow.search_logged_models(filter_string=…, max_results=1); its creation is")
print("MlflowClient().create_logged_model(experiment_id=\"0\", tags=…); the whole process is")
print("`python -c \"import mlflow; mlflow.search_logged_models(…)\"` against the Swift binary doing one lookup.")
try? FileManager.default.removeItem(atPath: directory)
