// Measures reading a repository's version (branch, commit, dirty) against the git processes a
// reader would otherwise spawn, in one run, on a 20-file and a 20,000-file repository. The
// dirty check is measured alone too: the in-process clean check (index + lstat of every file)
// against the one `git status` process it replaces. Then a dirty tree (index matching HEAD): the
// snapshot with its diff, reused from the record of the last `git diff`, against one `git diff`.
//
//   swift run -c release GitStateBenchmark [--rounds N] [--iterations N] [--files N]
//
// Every figure is a median; each round runs every candidate as one block of iterations (so one
// candidate's cache footprint — git status walks 20,000 files — is not charged to the next),
// and rounds alternate to spread the machine's noise over all candidates.

import BenchmarkSupport
import ChildProcess
import GitState

#if canImport(Glibc)
import Glibc
#endif

var rounds = 5
var iterations = 40
var largeFileCount = 20_000
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
  switch (argument, arguments.next().flatMap { Int($0) }) {
  case ("--rounds", let value?): rounds = value
  case ("--iterations", let value?): iterations = value
  case ("--files", let value?): largeFileCount = value
  default:
    print("usage: GitStateBenchmark [--rounds N] [--iterations N] [--files N]")
    exit(2)
  }
}

/// A repository with `fileCount` tracked files in up to 200 folders, an origin remote, and 500
/// tags in `packed-refs` (HEAD's branch is packed too, so resolving it scans that file).
func makeRepository(at path: String, fileCount: Int) {
  setupShell("rm -rf '\(path)' && git init -q '\(path)' && git -C '\(path)' config gc.auto 0")
  let folders = max(1, min(200, fileCount / 100))
  var script = "cd '\(path)' && for d in $(seq 1 \(folders)); do mkdir -p dir$d; done"
  script += " && i=0; while [ $i -lt \(fileCount) ]; do"
  script += " printf 'line %s of a source file with some text in it\\n%.0s' $i $(seq 1 20) > dir$((i % \(folders) + 1))/file$i.txt;"
  script += " i=$((i+1)); done"
  setupShell(script)
  setupShell(
    "cd '\(path)' && git add -A && git -c user.name=b -c user.email=b@b commit -q -m init"
      + " && git remote add origin https://git.example.com/acme/app.git"
      + " && head=$(git rev-parse HEAD) && for t in $(seq 1 500); do echo \"create refs/tags/t$t $head\"; done"
      + " | git update-ref --stdin && git pack-refs --all")
  // Files written in the second the index was written are racily clean: git (and the in-process
  // check) cannot trust their stat data. A real tree's files are older than its index; make
  // these so, and let git refresh the index's stat data.
  setupShell(
    "cd '\(path)' && past=$(( $(date +%s) - 600 )) && find . -path ./.git -prune -o -print0"
      + " | xargs -0 touch -h -d \"@$past\" && git update-index -q --refresh")
}

func runGit(_ arguments: [String]) {
  guard (try? ChildProcess.run("git", arguments: arguments))?.succeeded == true else {
    print("git \(arguments.joined(separator: " ")) failed")
    exit(1)
  }
}

let root = setupShell("mktemp -d /tmp/mlflow-git-bench-XXXXXX").trimmingWhitespace()
defer { setupShell("rm -rf '\(root)'") }

print("GitStateBenchmark: reading branch + commit + dirty in-process, vs the git processes it replaces")
print("\(rounds) rounds × \(iterations) iterations per candidate; medians")
print("")

for fileCount in [20, largeFileCount] {
  let path = root + "/repo-\(fileCount)"
  makeRepository(at: path, fileCount: fileCount)
  var headRead = Measurement("branch+commit: discover + HEAD (files)")
  var revParse = Measurement("git rev-parse HEAD (process)")
  var statusProcess = Measurement("dirty check, git status --porcelain -uno (process)")
  var cleanRead = Measurement("clean state: branch+commit+dirty+remote")
  var inProcessStatus = Measurement("dirty check, in-process (clean: index + lstat)")
  var repository = try GitRepository.discover(from: path)
  repository.recordsFolder = "mlflow-git"  // where mlflow-git's runtime has GitState keep its records
  _ = try repository.statusReport()  // the first check asks git and records that the index matches HEAD
  let primed = try repository.statusReport().source
  guard primed == .inProcess else {
    print("the in-process check did not answer on \(path): \(primed)")
    exit(1)
  }
  var fallbacks = 0
  for _ in 0..<rounds {
    for _ in 0..<iterations { try headRead.time { _ = try GitRepository.discover(from: path).head() } }
    for _ in 0..<iterations { revParse.time { runGit(["-C", path, "rev-parse", "HEAD"]) } }
    for _ in 0..<iterations {
      statusProcess.time { runGit(["-C", path, "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"]) }
    }
    for _ in 0..<iterations {
      try inProcessStatus.time {
        let report = try repository.statusReport()
        precondition(!report.status.isDirty)
        if report.source != .inProcess { fallbacks += 1 }
      }
    }
    for _ in 0..<iterations {
      try cleanRead.time {
        let snapshot = try GitSnapshot.read(from: path, options: .init(recordsFolder: "mlflow-git"))
        precondition(!snapshot.isDirty)
      }
    }
  }
  print("== \(fileCount) files")
  for measurement in [headRead, revParse, inProcessStatus, statusProcess, cleanRead] { print(measurement.line) }
  if fallbacks > 0 { print("  (\(fallbacks) in-process checks fell back to git status)") }
  printRatio("branch+commit speed-up over one git rev-parse", revParse.median / headRead.median, target: "≥ 50×")
  // Both lstat every tracked file: on a large tree that, not the process, is the cost.
  printRatio("dirty check speed-up: in-process over one git status", statusProcess.median / inProcessStatus.median)
  printRatio("clean-state read / one git status process", cleanRead.median / statusProcess.median, target: "≤ 1.2×")

  // Dirty, with the index matching HEAD: the first read runs `git diff` and records it; while
  // nothing changes, the next reads reuse the record, with no process.
  setupShell("echo 'an uncommitted line' >> '\(path)/dir1/file0.txt'")
  usleep(1_200_000)  // out of the racy window: a file written within a second is never trusted
  let head = try repository.head().commit ?? ""
  _ = try repository.statusAndDiff(head: head, excluding: [])
  let dirtySource = try repository.statusAndDiff(head: head, excluding: []).source
  guard dirtySource == .recordedDiff else {
    print("the recorded diff was not reused on \(path): \(dirtySource)")
    exit(1)
  }
  var diffProcess = Measurement("git diff --no-ext-diff --no-color (process)")
  var dirtyRead = Measurement("dirty state: branch+commit+dirty+diff+remote")
  var dirtyFallbacks = 0
  for _ in 0..<rounds {
    for _ in 0..<iterations {
      diffProcess.time { runGit(["-C", path, "--no-pager", "--no-optional-locks", "diff", "--no-ext-diff", "--no-color"]) }
    }
    for _ in 0..<iterations {
      try dirtyRead.time {
        let snapshot = try GitSnapshot.read(from: path, options: .init(recordsFolder: "mlflow-git"))
        precondition(snapshot.isDirty && snapshot.diff?.isEmpty == false)
      }
    }
    if try repository.statusAndDiff(head: head, excluding: []).source != .recordedDiff { dirtyFallbacks += 1 }
  }
  for measurement in [dirtyRead, diffProcess] { print(measurement.line) }
  if dirtyFallbacks > 0 { print("  (\(dirtyFallbacks) rounds did not reuse the recorded diff)") }
  printRatio("dirty read speed-up over one git diff process", diffProcess.median / dirtyRead.median)
  print("")
}
