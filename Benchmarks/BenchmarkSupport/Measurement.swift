import ChildProcess

#if canImport(Glibc)
import Glibc
#endif

/// Samples of one candidate in a benchmark, in seconds.
public struct Measurement: Sendable {
  public let name: String
  public private(set) var samples: [Double] = []

  public init(_ name: String) { self.name = name }

  /// Times `body` once and keeps the sample.
  public mutating func time(_ body: () throws -> Void) rethrows {
    let start = monotonicSeconds()
    try body()
    samples.append(monotonicSeconds() - start)
  }

  /// Adds samples measured elsewhere (e.g. by a Python process), in seconds.
  public mutating func add(_ seconds: [Double]) { samples += seconds }

  /// The median sample.
  public var median: Double {
    let sorted = samples.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }

  /// `name`, padded, then the median and the sample count.
  public var line: String {
    "  " + name.padding(to: 58) + " " + formatDuration(median).padding(to: 9) + " (n=\(samples.count))"
  }
}

/// The seconds `body` took (for async work; add the result to a ``Measurement``).
public func timed(_ body: () async throws -> Void) async rethrows -> Double {
  let start = monotonicSeconds()
  try await body()
  return monotonicSeconds() - start
}

/// Seconds on the monotonic clock.
public func monotonicSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// `4.7 µs`, `12 µs`, `1.6 ms`, `6.31 s`, `-0.8 ms` (a difference of medians can be negative).
public func formatDuration(_ seconds: Double) -> String {
  if seconds < 0 { return "-" + formatDuration(-seconds) }
  if seconds < 1e-5 { return String((seconds * 1e7).rounded() / 10) + " µs" }
  if seconds < 1e-3 { return String(Int((seconds * 1e6).rounded())) + " µs" }
  if seconds < 1 { return String((seconds * 1e4).rounded() / 10) + " ms" }
  return String((seconds * 100).rounded() / 100) + " s"
}

/// `52×`, `0.93×`.
public func formatRatio(_ value: Double) -> String {
  guard value.isFinite else { return "\(value)×" }
  return value >= 10 ? "\(Int(value.rounded()))×" : "\((value * 100).rounded() / 100)×"
}

/// Prints one ratio line with its target.
public func printRatio(_ label: String, _ value: Double, target: String? = nil) {
  let line = "  " + label.padding(to: 58) + " " + formatRatio(value)
  print(target.map { line.padding(to: 68) + " (target \($0))" } ?? line)
}

/// Runs a shell command for a benchmark's setup; exits with its error output when it fails.
@discardableResult
public func setupShell(_ command: String, environment: [String: String]? = nil) -> String {
  do {
    let output = try ChildProcess.run("sh", arguments: ["-c", command], environment: environment)
    guard output.succeeded else {
      print("setup failed: \(command)\n\(output.standardErrorText)")
      exit(1)
    }
    return output.standardOutputText
  } catch {
    print("setup failed: \(error)")
    exit(1)
  }
}

extension String {
  public func padding(to width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
