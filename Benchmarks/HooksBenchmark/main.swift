// Measures what mlflow-git's hooks cost git, in one run, next to the same git commands without
// hooks: `git commit` latency, the same through each hook manager (husky 9, lefthook, pre-commit,
// a committed core.hooksPath folder) with and without mlflow-git in the same run, a rebase of 200
// commits, and the time until the background worker has registered all 200 rebased versions in
// mlflow.db. With --baseline-hook FILE, the no-manager commit is also timed, in the same
// alternation, with FILE (another version of hooks/versioning-hook, e.g. `git show
// main:hooks/versioning-hook`) in place of the shipped hook program.
//
//   swift run -c release HooksBenchmark [--commits N] [--manager-commits N] [--rebase N] [--baseline-hook FILE]
//
// lefthook and pre-commit come from scripts/setup-hook-managers.sh ($MLFLOW_GIT_TEST_TOOLS when set).
// Run from the package root after `swift build -c release` (it uses the release mlflow-git).

import BenchmarkSupport
import ChildProcess
import GitHooks
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

var commitCount = 60
var managerCommitCount = 30
var rebaseCount = 200
var baselineHook: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
  let value = arguments.next()
  switch (argument, value.flatMap { Int($0) }) {
  case ("--commits", let number?): commitCount = number
  case ("--manager-commits", let number?): managerCommitCount = number
  case ("--rebase", let number?): rebaseCount = number
  case ("--baseline-hook", _) where value != nil: baselineHook = value
  default:
    print("usage: HooksBenchmark [--commits N] [--manager-commits N] [--rebase N] [--baseline-hook FILE]")
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
let tools: String = {
  if let tools = getenv("MLFLOW_GIT_TEST_TOOLS").map({ String(cString: $0) }), !tools.isEmpty { return tools }
  return setupShell("scripts/setup-hook-managers.sh").trimmingWhitespace()
}()
let environment: [String: String] = {
  var environment: [String: String] = [:]
  for name in ["PATH", "HOME", "LANG"] { environment[name] = getenv(name).map { String(cString: $0) } }
  environment["PATH"] = tools + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
  environment["PRE_COMMIT_HOME"] = root + "/pre-commit-cache"
  environment["MLFLOW_DISABLE_TELEMETRY"] = "true"
  environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] = mlflow
  environment["GIT_AUTHOR_NAME"] = "bench"
  environment["GIT_AUTHOR_EMAIL"] = "bench@example.com"
  environment["GIT_COMMITTER_NAME"] = "bench"
  environment["GIT_COMMITTER_EMAIL"] = "bench@example.com"
  return environment
}()

/// A small repository; `manager` sets up its hook manager (and commits what it tracks); with
/// `hooks`, mlflow-git installed and its mlflow.db created.
func makeRepository(_ name: String, hooks: Bool, manager: (String) -> Void = { _ in }) -> String {
  let path = root + "/" + name
  setupShell(
    "git init -q '\(path)' && cd '\(path)' && git config gc.auto 0 && git config maintenance.auto false"
      + " && for i in $(seq 1 20); do echo \"line $i\" > file$i.txt; done && git add -A && git commit -q -m init"
      + " && git remote add origin https://git.example.com/acme/app.git",
    environment: environment)
  manager(path)
  if hooks { setupShell("cd '\(path)' && '\(cli)' install >/dev/null", environment: environment) }
  return path
}

func run(_ command: String) {
  guard (try? ChildProcess.run("sh", arguments: ["-c", command], environment: environment))?.succeeded == true else {
    print("failed: \(command)")
    exit(1)
  }
}

/// Times `count` commits in `without` and `with` (and `baseline`, when given: a repository whose
/// hooks run another hook program), alternating so all see the same machine load (waiting for
/// the previous worker between samples), and prints the medians and the differences.
@discardableResult
func compareCommits(_ label: String, without: String, with: String, baseline: String? = nil, count: Int)
  -> (Measurement, Measurement)
{
  var plainCommit = Measurement("\(label), without mlflow-git")
  var hookedCommit = Measurement("\(label), with mlflow-git")
  var baselineCommit = Measurement("\(label), with the baseline hook")
  for index in 0..<count {
    plainCommit.time { run("git -C '\(without)' commit -q --allow-empty -m 'c\(index)' >/dev/null 2>&1") }
    hookedCommit.time { run("git -C '\(with)' commit -q --allow-empty -m 'c\(index)' >/dev/null 2>&1") }
    run("cd '\(with)' && '\(cli)' sync >/dev/null")
    if let baseline {
      baselineCommit.time { run("git -C '\(baseline)' commit -q --allow-empty -m 'c\(index)' >/dev/null 2>&1") }
      run("cd '\(baseline)' && '\(cli)' sync >/dev/null")
    }
  }
  print(plainCommit.line)
  print(hookedCommit.line)
  if baseline != nil { print(baselineCommit.line) }
  print("  " + "added by mlflow-git (median difference)".padding(to: 58) + " "
    + formatDuration(hookedCommit.median - plainCommit.median) + "    (target ≤ 5 ms)")
  if baseline != nil {
    print("  " + "added by the baseline hook (median difference)".padding(to: 58) + " "
      + formatDuration(baselineCommit.median - plainCommit.median))
    printRatio("commit with the shipped hook / with the baseline hook", hookedCommit.median / baselineCommit.median)
  }
  return (plainCommit, hookedCommit)
}

/// Puts `program` (a version of hooks/versioning-hook) in place of the hook program installed in
/// `repository`, keeping each hook's generated part.
func replaceHookProgram(in repository: String, with program: String) {
  let marker = "# >>> generated by `mlflow-git install`"
  let end = "# <<< generated\n"
  let text = String(decoding: mustRun("cat", [program]), as: UTF8.self)
  guard let start = text.firstRange(of: marker), let stop = text.firstRange(of: end) else {
    print("failed: \(program) is not a version of hooks/versioning-hook")
    exit(1)
  }
  for event in ["post-commit", "post-checkout", "post-merge", "post-rewrite"] {
    let path = repository + "/.git/hooks/" + event
    let installed = String(decoding: mustRun("cat", [path]), as: UTF8.self)
    guard let generatedStart = installed.firstRange(of: marker), let generatedEnd = installed.firstRange(of: end) else {
      print("failed: \(path) is not an installed mlflow-git hook")
      exit(1)
    }
    let replaced = Array(
      (text[..<start.lowerBound] + installed[generatedStart.lowerBound..<generatedEnd.upperBound]
        + text[stop.upperBound...]).utf8)
    guard let file = fopen(path, "w"), fwrite(replaced, 1, replaced.count, file) == replaced.count, fclose(file) == 0 else {
      print("failed: could not write \(path)")
      exit(1)
    }
  }
}

let plain = makeRepository("plain", hooks: false)
let hooked = makeRepository("hooked", hooks: true)
run("cd '\(hooked)' && '\(cli)' sync >/dev/null")
let baseline = baselineHook.map { program in
  let repository = makeRepository("baseline", hooks: true)
  replaceHookProgram(in: repository, with: program)
  run("cd '\(repository)' && '\(cli)' sync >/dev/null")
  return repository
}

print("HooksBenchmark: git with mlflow-git's hooks vs without any hook")
print("")
let (withoutHooks, withHooks) = compareCommits(
  "git commit, no hook manager", without: plain, with: hooked, baseline: baseline, count: commitCount)
printRatio("commit with hooks / without", withHooks.median / withoutHooks.median)
print("")

// Each hook manager, set up as teams do (a pre-commit and a post-commit hook of the team's that
// run `true`), with and without mlflow-git in the same run: what mlflow-git adds to its commit.
let managers: [(name: String, setup: (String) -> Void)] = [
  ("husky 9", { path in
    try? HuskyLayout.install(version: 9, in: path, environment: environment)
    setupShell("cd '\(path)' && echo true > .husky/pre-commit && echo true > .husky/post-commit && git add .husky"
      + " && git commit -q --no-verify -m husky", environment: environment)
  }),
  ("lefthook", { path in
    setupShell("cd '\(path)' && printf 'pre-commit:\\n  commands:\\n    lint:\\n      run: \"true\"\\npost-commit:\\n"
      + "  commands:\\n    notify:\\n      run: \"true\"\\n' > lefthook.yml && git add lefthook.yml"
      + " && git commit -q --no-verify -m lefthook && lefthook install >/dev/null", environment: environment)
  }),
  ("pre-commit", { path in
    setupShell("cd '\(path)' && printf 'repos:\\n- repo: local\\n  hooks:\\n  - id: lint\\n    name: lint\\n    entry: \"true\"\\n"
      + "    language: system\\n    pass_filenames: false\\n    always_run: true\\n    stages: [pre-commit, post-commit]\\n'"
      + " > .pre-commit-config.yaml && git add .pre-commit-config.yaml && git commit -q --no-verify -m pre-commit"
      + " && pre-commit install -t pre-commit -t post-commit >/dev/null", environment: environment)
  }),
  ("core.hooksPath (.githooks)", { path in
    setupShell("cd '\(path)' && mkdir .githooks && printf '#!/bin/sh\\ntrue\\n' > .githooks/pre-commit"
      + " && cp .githooks/pre-commit .githooks/post-commit && chmod +x .githooks/* && git add .githooks"
      + " && git commit -q --no-verify -m githooks && git config core.hooksPath .githooks", environment: environment)
  }),
]
print("git commit through each hook manager, without and with mlflow-git (medians of \(managerCommitCount), alternating)")
var hookedRepositories = [("no manager", hooked)]
for (index, manager) in managers.enumerated() {
  let without = makeRepository("manager\(index)-plain", hooks: false, manager: manager.setup)
  let with = makeRepository("manager\(index)-hooked", hooks: true, manager: manager.setup)
  run("cd '\(with)' && '\(cli)' sync >/dev/null")
  compareCommits(manager.name, without: without, with: with, count: managerCommitCount)
  hookedRepositories.append((manager.name, with))
}
print("")

// What an app start and `mlflow-git status` pay to notice that a manager removed the hooks.
print("the check that the hooks still run (HookPresence.status, once per app start; medians of 2000)")
for (name, path) in hookedRepositories {
  var check = Measurement("hooks still run? (\(name))")
  for _ in 0..<2000 {
    check.time { precondition(HookPresence.status(commonDirectory: path + "/.git")?.problem == nil) }
  }
  print(check.line)
}
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
