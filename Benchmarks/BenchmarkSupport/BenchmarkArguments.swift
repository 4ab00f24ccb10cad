import ChildProcess

#if canImport(Glibc)
import Glibc
#endif

/// A benchmark's command line: whole-number options (`--runs 7`) with their defaults, flags
/// (`--quick`), and `--cli PATH`, the `mlflow-git` to measure. Anything else prints the usage and
/// exits with 2.
///
/// ```swift
/// let options = BenchmarkArguments(usage: "usage: X [--runs N] [--quick] [--cli PATH]", numbers: ["--runs": 7], flags: ["--quick"])
/// let runs = options["--runs"]
/// let quick = options.isSet("--quick")
/// ```
public struct BenchmarkArguments {
  private var numbers: [String: Int]
  private var setFlags: Set<String> = []
  /// The `--cli` path, if given.
  public private(set) var cli: String?

  public init(usage: String, numbers defaults: [String: Int], flags: Set<String> = []) {
    numbers = defaults
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
      if flags.contains(argument) {
        setFlags.insert(argument)
        continue
      }
      let value = arguments.next()
      if defaults[argument] != nil, let number = value.flatMap({ Int($0) }) {
        numbers[argument] = number
      } else if argument == "--cli", let value {
        cli = value
      } else {
        print(usage)
        exit(2)
      }
    }
  }

  /// Whether the flag `name` was given.
  public func isSet(_ name: String) -> Bool { setFlags.contains(name) }

  /// The value of the whole-number option `name`.
  public subscript(_ name: String) -> Int { numbers[name] ?? 0 }

  /// The `mlflow-git` to measure: `--cli`, else the one built next to the running benchmark; as
  /// an absolute path.
  public var cliPath: String {
    let executable = CommandLine.arguments[0]
    let path = cli ?? String(executable[..<(executable.lastIndex(of: "/").map(executable.index(after:)) ?? executable.startIndex)]) + "mlflow-git"
    return path.hasPrefix("/") ? path : packageRoot() + "/" + path
  }
}

/// Runs a program a benchmark needs and returns its standard output; exits with its command
/// line and error output when it fails.
public func mustRun(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) -> [UInt8] {
  let output = try? ChildProcess.run(executable, arguments: arguments, environment: environment)
  guard let output, output.succeeded else {
    print("\(executable) \(arguments.joined(separator: " ")) failed: \(output?.standardErrorText ?? "could not start")")
    exit(1)
  }
  return output.standardOutput
}

/// The `mlflow` command of the virtual environment `python` is in.
public func mlflowExecutable(nextTo python: String) -> String {
  String(python.dropLast("python".count)) + "mlflow"
}
