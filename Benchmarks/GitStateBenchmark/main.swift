// Measures reading a repository's version (branch, commit, dirty) against the git processes a
// reader would otherwise spawn, in one run, on a 20-file and a 20,000-file repository.
//
//   swift run -c release GitStateBenchmark [--rounds N] [--iterations N] [--files N]
//
// Every figure is a median over interleaved rounds (the machine is small and noisy); ratios
// compare medians measured in this same run.

import ChildProcess
import GitState

#if canImport(Glibc)
import Glibc
#endif

struct Options {
  var rounds = 5
  var iterations = 40
  var largeFileCount = 20_000

  init(arguments: [String]) {
    var iterator = arguments.dropFirst().makeIterator()
    while let argument = iterator.next() {
      let value = iterator.next().flatMap { Int($0) }
      switch (argument, value) {
      case ("--rounds", let value?): rounds = value
      case ("--iterations", let value?): iterations = value
      case ("--files", let value?): largeFileCount = value
      default:
        print("usage: GitStateBenchmark [--rounds N] [--iterations N] [--files N]")
        exit(2)
      }
    }
  }
}

func now() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  guard !sorted.isEmpty else { return .nan }
  let middle = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func format(_ seconds: Double) -> String {
  if seconds < 1e-3 { return String(Int((seconds * 1e6).rounded())) + " µs" }
  let milliseconds = (seconds * 1e4).rounded() / 10
  return "\(milliseconds) ms"
}

func formatRatio(_ value: Double) -> String {
  let rounded = value >= 10 ? value.rounded() : (value * 100).rounded() / 100
  return "\(rounded)×"
}

@discardableResult
func shell(_ command: String) -> String {
  do {
    let output = try ChildProcess.run("sh", arguments: ["-c", command])
    if !output.succeeded {
      print("setup failed: \(command)\n\(output.standardErrorText)")
      exit(1)
    }
    return output.standardOutputText
  } catch {
    print("setup failed: \(error)")
    exit(1)
  }
}

/// A repository with `fileCount` tracked files in up to 200 folders, an origin remote, and 500
/// tags in `packed-refs` (HEAD's branch is packed too, so resolving it scans that file).
func makeRepository(at path: String, fileCount: Int) {
  shell("rm -rf '\(path)' && git init -q '\(path)' && git -C '\(path)' config gc.auto 0")
  let folders = max(1, min(200, fileCount / 100))
  var script = "cd '\(path)' && for d in $(seq 1 \(folders)); do mkdir -p dir$d; done"
  script += " && i=0; while [ $i -lt \(fileCount) ]; do"
  script += " printf 'line %s of a source file with some text in it\\n%.0s' $i $(seq 1 20) > dir$((i % \(folders) + 1))/file$i.txt;"
  script += " i=$((i+1)); done"
  shell(script)
  shell(
    "cd '\(path)' && git add -A && git -c user.name=b -c user.email=b@b commit -q -m init"
      + " && git remote add origin https://git.example.com/acme/app.git"
      + " && head=$(git rev-parse HEAD) && for t in $(seq 1 500); do echo \"create refs/tags/t$t $head\"; done"
      + " | git update-ref --stdin && git pack-refs --all")
}

struct Measurement {
  var name: String
  var samples: [Double] = []
}

func measure(_ body: () throws -> Void) -> Double {
  let start = now()
  do { try body() } catch {
    print("benchmark step failed: \(error)")
    exit(1)
  }
  return now() - start
}

func runGit(_ arguments: [String]) throws {
  let output = try ChildProcess.run("git", arguments: arguments)
  guard output.succeeded else { throw ChildProcessError(code: .spawnFailed, executable: "git", errno: 0) }
}

let options = Options(arguments: CommandLine.arguments)
let root = shell("mktemp -d /tmp/mlflow-git-bench-XXXXXX").trimmingWhitespace()
defer { shell("rm -rf '\(root)'") }

print("GitStateBenchmark: reading branch + commit + dirty, in-process, vs the git processes it replaces")
print("rounds \(options.rounds) × iterations \(options.iterations) per candidate, rounds interleaved; medians")
print("")

for (label, fileCount) in [("20 files", 20), ("\(options.largeFileCount) files", options.largeFileCount)] {
  let path = root + "/repo-\(fileCount)"
  makeRepository(at: path, fileCount: fileCount)
  var headRead = Measurement(name: "branch+commit (discover + HEAD, files)")
  var revParse = Measurement(name: "git rev-parse HEAD (process)")
  var statusProcess = Measurement(name: "git status --porcelain -uno (process)")
  var cleanRead = Measurement(name: "clean state: branch+commit+dirty+remote")

  // Each round runs every candidate as one block of iterations, so one candidate's cache
  // footprint (git status walks 20,000 files) is not charged to the next; rounds alternate to
  // spread the machine's noise over all candidates.
  for _ in 0..<options.rounds {
    for _ in 0..<options.iterations {
      headRead.samples.append(measure { _ = try GitRepository.discover(from: path).head() })
    }
    for _ in 0..<options.iterations {
      revParse.samples.append(measure { try runGit(["-C", path, "rev-parse", "HEAD"]) })
    }
    for _ in 0..<options.iterations {
      statusProcess.samples.append(
        measure { try runGit(["-C", path, "status", "--porcelain", "--untracked-files=no"]) })
    }
    for _ in 0..<options.iterations {
      cleanRead.samples.append(
        measure {
          let snapshot = try GitSnapshot.read(from: path)
          precondition(!snapshot.isDirty)
        })
    }
  }

  print("== \(label) (\(path))")
  for measurement in [headRead, revParse, statusProcess, cleanRead] {
    print("  \(measurement.name.padding(42)) \(format(median(measurement.samples)))")
  }
  let headSpeedup = median(revParse.samples) / median(headRead.samples)
  let cleanRatio = median(cleanRead.samples) / median(statusProcess.samples)
  print("  branch+commit speed-up over one git rev-parse: \(formatRatio(headSpeedup))  (target ≥ 50×)")
  print("  clean-state read / one git status process:     \(formatRatio(cleanRatio))  (target ≤ 1.2×)")
  print("")
}

extension String {
  func padding(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
