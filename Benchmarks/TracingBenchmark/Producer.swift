import BenchmarkSupport
import GitVersioning
import MLflowTracing

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The Swift app under load, run as a child process of its own (so its peak memory is its
/// own): Git versioning enabled in `repository`, then `tasks` concurrent tasks each tracing the
/// agent step at `rate / tasks` per second on a fixed schedule for `seconds` (fewer when it falls
/// behind the schedule; or, with rate 0,
/// `traces` steps as fast as they go), then `flushTraces()`. Prints one JSON line.
struct Producer {
  struct Plan: Codable {
    var repository: String
    var seconds: Double
    /// Traces per second offered by all tasks together; 0 for as fast as possible.
    var rate: Double
    var tasks: Int
    /// With rate 0: how many traces in all.
    var traces: Int
    var warmUp: Int
    /// The agent step without tracing, on the same schedule: what the producer itself costs.
    var untraced = false
  }

  struct Report: Codable {
    var modelID: String
    var produced: Int
    var produceSeconds: Double
    /// From the end of production until `flushTraces()` returned.
    var drainSeconds: Double
    /// Counted by the exporter when production ended and after the flush.
    var storedAtEnd: Int
    var stored: Int
    var spilled: Int
    var journaled: Int
    var dropped: Int
    var pending: Int
    /// Caller-path time per span (a traced agent step / its 3 spans), in seconds.
    var spanP50: Double
    var spanP99: Double
    var spanMax: Double
    /// The process's peak resident memory (VmHWM), in bytes.
    var peakMemory: Int
    /// How far behind its schedule the slowest task ended (the producer could not keep the rate).
    var lagSeconds: Double
    /// CPU time (user + system) the process spent from the start of production until the flush
    /// returned: tracing and exporting together, less sensitive than wall time to a busy machine.
    var cpuSeconds: Double
  }

  let plan: Plan

  func run() async -> Report? {
    let context = await enableGitModelVersioning(
      options: GitVersioningOptions(directory: plan.repository, indexVerification: .never))
    guard let modelID = context.activeModel?.modelID else {
      print("producer: Git versioning did not start: \(String(describing: context.problem))")
      return nil
    }
    for index in 0..<plan.warmUp { _ = await AgentStep.traced("warm-up \(index)") }
    let warm = await flushTraces(timeout: .seconds(120))

    let cpuStart = Self.cpuSeconds()
    let start = monotonicSeconds()
    let perTask = plan.rate > 0 ? Int((plan.rate * plan.seconds / Double(plan.tasks)).rounded()) : plan.traces / plan.tasks
    let interval = plan.rate > 0 ? Double(plan.tasks) / plan.rate : 0
    let results = await withTaskGroup(of: ([Double], Double).self) { group in
      for task in 0..<plan.tasks {
        group.addTask {
          var durations: [Double] = []
          durations.reserveCapacity(perTask)
          var lag = 0.0
          // Tasks start spread over one interval, as requests arrive.
          let offset = interval * Double(task) / Double(plan.tasks)
          for index in 0..<perTask {
            if interval > 0 && monotonicSeconds() - start >= plan.seconds { break }  // behind its schedule: time is up
            if interval > 0 {
              let due = start + offset + Double(index) * interval
              let wait = due - monotonicSeconds()
              if wait > 0 { try? await Task.sleep(for: .microseconds(Int(wait * 1e6))) }
              lag = max(lag, monotonicSeconds() - due)
            }
            let begin = monotonicSeconds()
            if plan.untraced {
              _ = AgentStep.untraced("question \(task)-\(index)")
            } else {
              _ = await AgentStep.traced("question \(task)-\(index)")
            }
            durations.append(monotonicSeconds() - begin)
          }
          return (durations, lag)
        }
      }
      return await group.reduce(into: [([Double], Double)]()) { $0.append($1) }
    }
    let produced = monotonicSeconds()
    let atEnd = await flushTraces(timeout: .zero)
    let counts = await flushTraces(timeout: .seconds(1800))
    let drained = monotonicSeconds()
    let durations = results.flatMap(\.0).sorted()
    func percentile(_ p: Double) -> Double {
      durations.isEmpty ? .nan : durations[min(durations.count - 1, Int(Double(durations.count) * p))] / Double(AgentStep.spans)
    }
    return Report(
      modelID: modelID, produced: durations.count, produceSeconds: produced - start, drainSeconds: drained - produced,
      storedAtEnd: atEnd.stored - warm.stored, stored: counts.stored - warm.stored,
      spilled: counts.spilled - warm.spilled, journaled: counts.journaled - warm.journaled,
      dropped: counts.dropped - warm.dropped, pending: counts.pending,
      spanP50: percentile(0.5), spanP99: percentile(0.99), spanMax: (durations.last ?? .nan) / Double(AgentStep.spans),
      peakMemory: Self.peakMemory(), lagSeconds: results.map(\.1).max() ?? 0, cpuSeconds: Self.cpuSeconds() - cpuStart)
  }

  /// User and system CPU time of this process so far.
  static func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
  }

  /// VmHWM from /proc/self/status, in bytes.
  static func peakMemory() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
      return kilobytes * 1024
    }
    return 0
  }
}
