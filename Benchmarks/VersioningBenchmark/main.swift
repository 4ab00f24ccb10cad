// Measures what an app pays at start-up for Git-based versioning, in one run, next to the
// baselines: one `git status` process (the dirty check nobody can skip) and Python MLflow's
// enable_git_model_versioning() on the same repository and mlflow.db.
//
//   swift run -c release VersioningBenchmark [--rounds N] [--iterations N] [--python-processes N] [--cli PATH]
//                                            [--index-only]
//
// It also measures the start of a version registered in a repository whose index holds 100,000
// versions against one whose index holds 10 (--index-only: that comparison alone).
//
// Run from the package root. Medians; each round runs every candidate as one block. `--cli` names
// the `mlflow-git` whose whole process is measured: install.sh's (~/.local/share/mlflow-git/bin/
// mlflow-git, a static executable) is what users run; by default, the one built next to this
// benchmark.

import BenchmarkSupport
import ChildProcess
import GitVersioning

#if canImport(Glibc)
import Glibc
#endif

let arguments = BenchmarkArguments(
  usage: "usage: VersioningBenchmark [--rounds N] [--iterations N] [--python-processes N] [--cli PATH] [--index-only]",
  numbers: ["--rounds": 5, "--iterations": 20, "--python-processes": 5], flags: ["--index-only"])
let rounds = arguments["--rounds"]
let iterations = arguments["--iterations"]
let pythonProcesses = arguments["--python-processes"]
let indexOnly = arguments.isSet("--index-only")

let python = referencePython()
let mlflow = mlflowExecutable(nextTo: python)
let benchmarkDirectory = packageRoot() + "/Benchmarks/VersioningBenchmark"
let cli = arguments.cliPath
/// How the measured `mlflow-git` is linked, printed with its figures: install.sh makes a static
/// executable, which starts sooner than a static-stdlib build and the default dynamic one.
let cliLinking = setupShell(
  "ldd '\(cli)' 2>&1 | grep -q 'not a dynamic executable' && echo static-executable"
    + " || { ldd '\(cli)' | grep -q libswiftCore && echo dynamic || echo static-stdlib; }"
).trimmingWhitespace()
let root = setupShell("mktemp -d /tmp/mlflow-git-versioning-bench-XXXXXX").trimmingWhitespace()

let environment = benchmarkEnvironment(mlflowExecutable: mlflow)

/// A 20-file repository with an origin remote and MLflow's database at its top. Its files are
/// older than its index, as in a work tree checked out a while ago (files written in the same
/// second as the index are "racily clean", and only `git status` can judge them).
func makeRepository(_ name: String) -> String {
  let path = root + "/" + name
  setupShell(
    "git init -q '\(path)' && cd '\(path)' && for i in $(seq 1 20); do echo \"line $i\" > file$i.txt; done"
      + " && touch -d \"@$(( $(date +%s) - 60 ))\" file*.txt"
      + " && git add -A && git -c user.name=b -c user.email=b@b commit -q -m init"
      + " && git remote add origin https://git.example.com/acme/app.git"
      + " && '\(mlflow)' db upgrade sqlite:///\(path)/mlflow.db > /dev/null 2>&1",
    environment: environment)
  return path
}

/// Adds `count` versions of other states to the index of `repository`, whose own version is
/// registered in `store` (a tracking URI): lines in the index's format, in its files.
func fillIndex(_ repository: String, store: String, count: Int, oneFile: Bool = false) {
  func hex(_ digits: Int) -> String {
    var text = ""
    while text.count < digits { text += String(UInt64.random(in: 0 ... .max) | (1 << 63), radix: 16) }
    return String(text.prefix(digits))
  }
  var shards: [String: String] = [:]
  for _ in 0..<count {
    let state = hex(64)
    shards[String(state.prefix(3)), default: ""] +=
      ["v1", store, "id:0", state, "m-" + hex(32), "branch-" + hex(6), hex(40), "clean"].joined(separator: "\t") + "\n"
  }
  let directory = repository + "/.git/mlflow-git/index"
  if oneFile {
    // The repository's own version goes to the one file too, as mlflow-git recorded it before.
    setupShell("cat '\(directory)'/* >> '\(repository)/.git/mlflow-git/versions' && rm -r '\(directory)'")
  }
  for (shard, lines) in shards {
    // The one-file index of mlflow-git before the split (still read, as an old index is).
    let path = oneFile ? repository + "/.git/mlflow-git/versions" : directory + "/" + shard
    guard let file = fopen(path, "a") else { fatalError("cannot write \(path)") }
    fputs(lines, file)
    fclose(file)
  }
}

func indexOptions(_ directory: String) -> GitVersioningOptions {
  GitVersioningOptions(directory: directory, environment: environment, indexVerification: .never)
}

/// The start of a registered version with 10 and with 100,000 versions in the index.
@MainActor
func measureIndexSizes(_ repositories: [String]) async throws -> [Measurement] {
  var measurements = [
    Measurement("Swift enable, clean, registered, 10 versions indexed"),
    Measurement("Swift enable, clean, registered, 100,000 versions indexed"),
    Measurement("  the same, 100,000 in the one-file index of before"),
  ]
  for _ in 0..<rounds {
    for (position, directory) in repositories.enumerated() {
      let options = indexOptions(directory)
      for _ in 0..<iterations {
        let start = monotonicSeconds()
        _ = try await VersionResolution.resolve(options: options)
        measurements[position].add([monotonicSeconds() - start])
      }
    }
  }
  return measurements
}

@MainActor
func prepareIndexSizes() async throws -> [String] {
  var repositories: [String] = []
  for (name, count, oneFile) in [("index-10", 9, false), ("index-100000", 99_999, false), ("index-one-file", 99_999, true)] {
    let directory = makeRepository(name)
    let registered = try await VersionResolution.resolve(options: indexOptions(directory))
    fillIndex(directory, store: registered.activeModel.trackingURI, count: count, oneFile: oneFile)
    repositories.append(directory)
  }
  return repositories
}

/// Prints the index rows and their ratios.
func printIndexSizes(_ measurements: [Measurement]) {
  for measurement in measurements { print(measurement.line) }
  printRatio(
    "100,000 versions indexed / 10 (start of a registered version)", measurements[1].median / measurements[0].median,
    target: "≤ 2×")
  printRatio("  one-file index of before / 10", measurements[2].median / measurements[0].median)
}

if indexOnly {
  let measurements = try await measureIndexSizes(try await prepareIndexSizes())
  print("VersioningBenchmark --index-only: \(rounds) rounds × \(iterations) iterations; medians")
  printIndexSizes(measurements)
  setupShell("rm -rf '\(root)'")
  exit(0)
}

let clean = makeRepository("clean")
let dirty = makeRepository("dirty")
let served = makeRepository("served")

// A local `mlflow server` (one worker, SQLite) for the server case.
setupShell("'\(mlflow)' db upgrade sqlite:///\(root)/server.db > /dev/null 2>&1", environment: environment)
let server = LocalMLflowServer(
  mlflow: mlflow, python: python, backendURI: "sqlite:///\(root)/server.db", directory: root, environment: environment)
let serverURL = server.url
// An edit made a while ago: a file changed (mtime or ctime) within the last second is "racy",
// and only `git diff` can judge it, so the first starts right after an edit pay for that.
setupShell("echo 'uncommitted change' >> '\(dirty)/file1.txt'")
usleep(1_100_000)

func options(_ directory: String) -> GitVersioningOptions {
  var variables = environment
  if directory == served { variables["MLFLOW_TRACKING_URI"] = serverURL }
  return GitVersioningOptions(directory: directory, environment: variables, indexVerification: .never)
}

// Register both states first, as the hooks would have.
for directory in [clean, dirty, served] { _ = try await VersionResolution.resolve(options: options(directory)) }

var statusProcess = Measurement("git status --porcelain -uno (process)")
var enableClean = Measurement("Swift enable, clean, registered (in-process)")
var enableDirty = Measurement("Swift enable, dirty, registered (in-process)")
var enableVerified = Measurement("Swift enable, clean, checked, mlflow.db unchanged")
var enableRechecked = Measurement("Swift enable, clean, checked, mlflow.db touched")
var statusCLI = Measurement("mlflow-git status (whole process, \(cliLinking) build)")
var pythonWarmClean = Measurement("Python enable_git_model_versioning(), warm, clean")
var pythonWarmDirty = Measurement("Python enable_git_model_versioning(), warm, dirty")
var enableServed = Measurement("Swift enable, clean, registered, server")
var pythonWarmServed = Measurement("Python enable_git_model_versioning(), warm, server")
var pythonProcess = Measurement("python -c 'import mlflow; enable…()' (whole process)")

func pythonWarm(_ directory: String, iterations: Int) -> [Double] {
  var pythonEnvironment = environment
  pythonEnvironment["MLFLOW_TRACKING_URI"] = directory == served ? serverURL : "sqlite:///\(directory)/mlflow.db"
  let output = mustRun(
    python, [benchmarkDirectory + "/python_enable.py", directory, String(iterations)], environment: pythonEnvironment)
  let text = String(decoding: output, as: UTF8.self)
  guard let start = text.firstIndex(of: "["), let end = text.lastIndex(of: "]") else { return [] }
  return text[text.index(after: start)..<end].split(separator: ",").compactMap {
    Double(String($0).trimmingWhitespace())
  }
}

print("VersioningBenchmark: start-up cost of Git-based versioning, Swift vs Python MLflow 3.17.2")
print("\(rounds) rounds × \(iterations) iterations (Python whole process: \(pythonProcesses) runs); medians")
print("")
for _ in 0..<rounds {
  for _ in 0..<iterations {
    statusProcess.time { _ = mustRun("git", ["-C", clean, "status", "--porcelain", "--untracked-files=no"]) }
  }
  for _ in 0..<iterations {
    enableClean.add([try await timed { _ = try await VersionResolution.resolve(options: options(clean)) }])
  }
  for _ in 0..<iterations {
    enableDirty.add([try await timed { _ = try await VersionResolution.resolve(options: options(dirty)) }])
  }
  for _ in 0..<iterations {
    var checked = options(clean)
    checked.indexVerification = .beforeReturning
    enableVerified.add([try await timed { _ = try await VersionResolution.resolve(options: checked) }])
  }
  for _ in 0..<iterations {
    // A new modification time, as any write gives it, makes the check read mlflow.db again.
    var checked = options(clean)
    checked.indexVerification = .beforeReturning
    _ = utimensat(AT_FDCWD, clean + "/mlflow.db", nil, 0)
    enableRechecked.add([try await timed { _ = try await VersionResolution.resolve(options: checked) }])
  }
  for _ in 0..<iterations {
    // Spawned directly in the repository (no `sh -c "cd …"` around it, whose start-up would be
    // most of what is measured); Python's whole process below is spawned the same way.
    chdir(clean)
    statusCLI.time { _ = mustRun(cli, ["status", "--json"], environment: environment) }
  }
  for _ in 0..<iterations {
    enableServed.add([try await timed { _ = try await VersionResolution.resolve(options: options(served)) }])
  }
  pythonWarmClean.add(pythonWarm(clean, iterations: iterations))
  pythonWarmDirty.add(pythonWarm(dirty, iterations: iterations))
  pythonWarmServed.add(pythonWarm(served, iterations: iterations))
}
server.stop()
let indexSizes = try await measureIndexSizes(try await prepareIndexSizes())
for _ in 0..<pythonProcesses {
  var pythonEnvironment = environment
  pythonEnvironment["MLFLOW_TRACKING_URI"] = "sqlite:///\(clean)/mlflow.db"
  chdir(clean)
  pythonProcess.time {
    _ = mustRun(python, ["-c", "import mlflow; mlflow.genai.enable_git_model_versioning()"], environment: pythonEnvironment)
  }
}

for measurement in [
  statusProcess, enableClean, enableDirty, enableVerified, enableRechecked, statusCLI, pythonWarmClean, pythonWarmDirty, pythonProcess,
  enableServed, pythonWarmServed,
] {
  print(measurement.line)
}
print("")
printRatio("Swift enable (clean, registered) / one git status", enableClean.median / statusProcess.median, target: "≤ 1.2×")
printRatio("Python warm enable / Swift enable (clean)", pythonWarmClean.median / enableClean.median, target: "≥ 10×")
printRatio("Python warm enable / Swift enable (dirty)", pythonWarmDirty.median / enableDirty.median, target: "≥ 10×")
printRatio("Python whole process / mlflow-git status", pythonProcess.median / statusCLI.median, target: "≥ 500×")
printRatio("Python warm enable / Swift enable (server)", pythonWarmServed.median / enableServed.median, target: "≥ 50×")
printIndexSizes(indexSizes)
if cliLinking != "static-executable" {
  print("  (install.sh installs mlflow-git as a static executable; to measure it, pass")
  print("   --cli ~/.local/share/mlflow-git/bin/mlflow-git after running install.sh)")
}
setupShell("rm -rf '\(root)'")  // a top-level `defer` would not run at exit
