import BenchmarkSupport
import ChildProcess

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `produce`, `load`, `growth` or `ceiling`; `nil` for the per-span benchmark (no subcommand).
func runSubcommand(_ arguments: [String]) async -> Int32? {
  guard let command = arguments.first, ["produce", "load", "growth", "ceiling"].contains(command) else { return nil }
  if command == "produce" {
    guard arguments.count == 2, let plan = try? JSONDecoder().decode(Producer.Plan.self, from: Data(arguments[1].utf8)),
      let report = await Producer(plan: plan).run()
    else { return 1 }
    print(String(decoding: try! JSONEncoder().encode(report), as: UTF8.self))
    return 0
  }
  var options: [String: String] = [:]
  var flags: Set<String> = []
  var rest = arguments.dropFirst().makeIterator()
  while let argument = rest.next() {
    if argument == "--no-python" {
      flags.insert(argument)
    } else if argument.hasPrefix("--"), let value = rest.next() {
      options[argument] = value
    } else {
      print("usage: see the header of Benchmarks/TracingBenchmark/main.swift")
      return 2
    }
  }
  let python = referencePython()
  let root = setupShell("mktemp -d /tmp/mlflow-git-trace-load-XXXXXX").trimmingWhitespace()
  defer { setupShell("rm -rf '\(root)'") }
  let setup = LoadSetup(
    root: root, python: python, mlflow: String(python.dropLast("python".count)) + "mlflow",
    environment: benchmarkEnvironment(mlflowExecutable: String(python.dropLast("python".count)) + "mlflow"))
  let ok: Bool
  if command == "ceiling" {
    ok = await CeilingBenchmark(
      setup: setup, traces: options["--traces"].flatMap { Int($0) } ?? 5000,
      rounds: options["--rounds"].flatMap { Int($0) } ?? 5
    ).run()
  } else if command == "growth" {
    ok = GrowthBenchmark(
      setup: setup, traces: options["--traces"].flatMap { Int($0) } ?? 20_000,
      sizes: (options["--sizes"] ?? "0,100000,1000000").split(separator: ",").compactMap { Int($0) },
      cache: options["--prefill-cache"]
    ).run()
  } else {
    ok = await LoadBenchmark(
      setup: setup, seconds: options["--seconds"].flatMap { Double($0) } ?? 60,
      rate: options["--rate"].flatMap { Double($0) } ?? 5000,
      serverRate: options["--server-rate"].flatMap { Double($0) } ?? 1000,
      tasks: options["--tasks"].flatMap { Int($0) } ?? 16,
      prefill: options["--prefill"].flatMap { Int($0) } ?? 0,
      stores: (options["--stores"] ?? "sqlite,server").split(separator: ",").map(String.init),
      python: !flags.contains("--no-python"),
      drainLimit: options["--drain-limit"].flatMap { Double($0) } ?? 120,
      oracleSpansLimit: options["--oracle-spans"].flatMap { Int($0) } ?? 20_000
    ).run()
  }
  return ok ? 0 : 1
}

/// Prints a line and flushes it, so progress shows as it happens also when the output goes to
/// a file (which `print` buffers until exit).
func say(_ line: String) {
  print(line)
  fflush(nil)
}
