// Measures what mlflow-git's hooks cost git, in one run, next to the same git commands without
// hooks: `git commit` latency, a rebase of 200 commits, and the time until the background worker
// has registered all 200 rebased versions in mlflow.db.
//
//   swift run -c release HooksBenchmark [--commits N] [--rebase N]
//
// Run from the package root after `swift build -c release` (it uses the release mlflow-git).

import BenchmarkSupport
import ChildProcess

#if canImport(Glibc)
import Glibc
#endif

var commitCount = 60
var rebaseCount = 200
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
  switch (argument, arguments.next().flatMap { Int($0) }) {
  case ("--commits", let value?): commitCount = value
  case ("--rebase", let value?): rebaseCount = value
  default:
    print("usage: HooksBenchmark [--commits N] [--rebase N]")
    exit(2)
  }
}

let cli: String = {
  let path = String(CommandLine.arguments[0].dropLast("HooksBenchmark".count)) + "mlflow-git"
  return path.hasPrefix("/") ? path : packageRoot() + "/" + path
}()
let python = referencePython()
let mlflow = String(python.dropLast("python".count)) + "mlflow"
let root = setupShell("mktemp -d /tmp/mlflow-git-hooks-bench-XXXXXX").trimmingWhitespace()
defer { setupShell("rm -rf '\(root)'") }
let environment: [String: String] = {
  var environment: [String: String] = [:]
  for name in ["PATH", "HOME", "LANG"] { environment[name] = getenv(name).map { String(cString: $0) } }
  environment["MLFLOW_DISABLE_TELEMETRY"] = "true"
  environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] = mlflow
  environment["GIT_AUTHOR_NAME"] = "bench"
  environment["GIT_AUTHOR_EMAIL"] = "bench@example.com"
  environment["GIT_COMMITTER_NAME"] = "bench"
  environment["GIT_COMMITTER_EMAIL"] = "bench@example.com"
  return environment
}()

/// A small repository; with `hooks`, mlflow-git installed and its mlflow.db created.
func makeRepository(_ name: String, hooks: Bool) -> String {
  let path = root + "/" + name
  setupShell(
    "git init -q '\(path)' && cd '\(path)' && git config gc.auto 0 && git config maintenance.auto false"
      + " && for i in $(seq 1 20); do echo \"line $i\" > file$i.txt; done && git add -A && git commit -q -m init"
      + " && git remote add origin https://git.example.com/acme/app.git",
    environment: environment)
  if hooks { setupShell("cd '\(path)' && '\(cli)' install >/dev/null", environment: environment) }
  return path
}

func run(_ command: String) {
  guard (try? ChildProcess.run("sh", arguments: ["-c", command], environment: environment))?.succeeded == true else {
    print("failed: \(command)")
    exit(1)
  }
}

let plain = makeRepository("plain", hooks: false)
let hooked = makeRepository("hooked", hooks: true)
run("cd '\(hooked)' && '\(cli)' sync >/dev/null")

print("HooksBenchmark: git with mlflow-git's hooks vs without any hook")
print("")
var withoutHooks = Measurement("git commit, no hooks")
var withHooks = Measurement("git commit, mlflow-git hooks")
for index in 0..<commitCount {
  // Alternate, so both see the same machine load; wait for the previous worker between samples.
  withoutHooks.time { run("git -C '\(plain)' commit -q --allow-empty -m 'c\(index)'") }
  withHooks.time { run("git -C '\(hooked)' commit -q --allow-empty -m 'c\(index)'") }
  run("cd '\(hooked)' && '\(cli)' sync >/dev/null")
}
print(withoutHooks.line)
print(withHooks.line)
print("  " + "added to a commit by the hooks (median difference)".padding(to: 58) + " "
  + formatDuration(withHooks.median - withoutHooks.median) + "    (target ≤ 5 ms)")
printRatio("commit with hooks / without", withHooks.median / withoutHooks.median)
print("")

// A rebase of N commits onto a new base, with and without hooks.
for path in [plain, hooked] {
  run(
    "cd '\(path)' && git checkout -q -b topic && for i in $(seq 1 \(rebaseCount)); do git commit -q --allow-empty -m t$i; done"
      + " && git checkout -q main 2>/dev/null || git checkout -q master; git commit -q --allow-empty -m base && git checkout -q topic")
}
run("cd '\(hooked)' && '\(cli)' sync >/dev/null")
let base = "$(git rev-parse --verify -q main || git rev-parse master)"
var rebasePlain = Measurement("rebase of \(rebaseCount) commits, no hooks")
var rebaseHooked = Measurement("rebase of \(rebaseCount) commits, mlflow-git hooks")
rebasePlain.time { run("cd '\(plain)' && git rebase -q \(base)") }
let start = monotonicSeconds()
rebaseHooked.time { run("cd '\(hooked)' && git rebase -q \(base)") }
// Time until every rebased commit has its version: wait for the background worker, then count.
run("cd '\(hooked)' && '\(cli)' sync >/dev/null")
let registered = monotonicSeconds() - start
let count = setupShell(
  "cd '\(hooked)' && sqlite3 mlflow.db \"select count(*) from logged_model_tags t join logged_model_tags b"
    + " on t.model_id = b.model_id where t.tag_key = 'mlflow.source.git.commit' and b.tag_key = 'mlflow.source.git.branch'"
    + " and b.tag_value = 'topic' and t.tag_value in ($(git rev-list --max-count=\(rebaseCount) topic | sed \"s/.*/'&'/\" | paste -sd,))\"",
  environment: environment
).trimmingWhitespace()
print(rebasePlain.line)
print(rebaseHooked.line)
print("  " + "until all \(rebaseCount) rebased versions are registered".padding(to: 58) + " " + formatDuration(registered)
  + "    (\(count) of \(rebaseCount) found in mlflow.db)")
