import LocalFiles
import MLflowServerStore
import MLflowStore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Traces waiting for their store: one private JSON file per trace (`<trace ID>.json`, mode
/// 0600, in a 0700 folder), in the repository's `<git common dir>/mlflow-git/traces` (or
/// `~/.local/state/mlflow-git/traces` outside a repository).
///
/// One file per trace makes delivery exactly-once without bookkeeping: a file is removed only
/// after its store has the trace, and a store that already has it (a delivery interrupted
/// between the two) answers "already exists", which counts as delivered. Deliveries are
/// serialized by a lock in the folder.
///
/// # Usage
/// ```swift
/// let report = await TraceJournal(directory: stateDirectory + "/traces").deliver()
/// print("\(report.delivered) delivered, \(report.remaining) still waiting")
/// ```
public struct TraceJournal: Sendable {
  /// The folder holding the journaled traces.
  public let directory: String
  /// The repository's mlflow-git state folder, whose provisional → final model IDs re-link
  /// traces at delivery; `nil` for the journal outside any repository.
  public let stateDirectory: String?

  /// The journal in `directory`, outside any repository.
  public init(directory: String) {
    self.directory = directory
    stateDirectory = nil
  }

  /// The journal of a repository whose mlflow-git state folder is `stateDirectory`
  /// (`<git common dir>/mlflow-git`).
  public init(stateDirectory: String) {
    directory = stateDirectory + "/traces"
    self.stateDirectory = stateDirectory
  }

  /// What one delivery did.
  public struct Report: Sendable, Hashable {
    /// Traces now in their store.
    public var delivered = 0
    /// Traces still waiting (their store is unreachable, or another delivery is running).
    public var remaining = 0
    /// Files that are not readable traces; they are left in place, renamed `*.corrupt`.
    public var unreadable = 0
    /// Why some traces are still waiting, when it is known.
    public var problem: String?

    public init() {}
  }

  struct Entry: Codable {
    var trackingURI: String
    var trace: Trace
    /// The experiment to store the trace in when ``trace`` has no experiment ID (see
    /// ``TraceDestination/experimentName``); absent from entries journaled before it was kept.
    var experimentName: String?
  }

  /// The number of traces waiting.
  public var count: Int { fileNames().count }

  /// Saves a trace that its store could not take.
  func save(_ pending: TraceExporter.Pending) throws {
    try PrivateFiles.createDirectory(directory)
    let entry = Entry(
      trackingURI: pending.destination.trackingURI, trace: pending.trace,
      experimentName: pending.destination.experimentName)
    let data = try JSONEncoder().encode(entry)
    try PrivateFiles.replace(path(of: pending.trace.info.traceID), with: Array(data))
  }

  /// Stores the journaled traces (only those for `trackingURI`, when given) and removes them
  /// from the journal. A trace linked to a version with a provisional ID is re-linked to the
  /// ID the tracking server gave it, or kept until that version is delivered. Returns at once,
  /// with everything counted as remaining, when another delivery holds the journal's lock.
  ///
  /// - Parameter environment: Store settings (credentials, experiment selection).
  public func deliver(
    trackingURI: String? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) async -> Report {
    var report = Report()
    let names = fileNames()
    guard !names.isEmpty else { return report }
    let lock: FileLock?
    do {
      lock = try FileLock.tryAcquire(at: directory + "/.deliver.lock")
    } catch {
      report.remaining = names.count
      report.problem = "\(error)"
      return report
    }
    guard let lock else {
      report.remaining = names.count
      return report
    }
    defer { lock.release() }

    var stores: [String: any TrackingStore] = [:]
    var experiments: [String: String] = [:]
    var unreachable: Set<String> = []
    let decoder = JSONDecoder()
    for name in names {
      let path = directory + "/" + name
      guard let bytes = try? PrivateFiles.read(path) else { continue }  // delivered meanwhile
      guard let decoded = try? decoder.decode(Entry.self, from: Data(bytes)) else {
        rename(path, path + ".corrupt")
        report.unreadable += 1
        continue
      }
      if let trackingURI, decoded.trackingURI != trackingURI { continue }
      guard let linked = TraceLink.linked(decoded.trace, stateDirectory: stateDirectory) else {
        report.remaining += 1
        continue
      }
      var entry = decoded
      entry.trace = linked
      if unreachable.contains(entry.trackingURI) {
        report.remaining += 1
        continue
      }
      do throws(MLflowStoreError) {
        let store: any TrackingStore
        if let cached = stores[entry.trackingURI] {
          store = cached
        } else {
          let uri = try TrackingURI.reconnecting(
            to: entry.trackingURI, environment: environment, relativeTo: "/",
            settingName: "the journaled trace's tracking URI")
          store = try await TrackingStores.open(uri, environment: environment)
          stores[entry.trackingURI] = store
        }
        if entry.trace.info.experimentID.isEmpty {
          let selection = entry.trackingURI + "\u{0}" + (entry.experimentName ?? "")
          if let id = experiments[selection] {
            entry.trace.info.experimentID = id
          } else {
            let id = try await ExperimentSelection.resolve(
              in: store, environment: TraceJournal.selecting(entry.experimentName, in: environment)
            ).experimentID
            experiments[selection] = id
            entry.trace.info.experimentID = id
          }
        }
        do throws(MLflowStoreError) {
          _ = try await store.logTrace(entry.trace)
        } catch where error.code == .alreadyExists {
        }
        unlink(path)
        report.delivered += 1
      } catch {
        unreachable.insert(entry.trackingURI)
        report.remaining += 1
        report.problem = "\(entry.trackingURI): \(error)"
      }
    }
    return report
  }

  /// `environment`, selecting the experiment named `name` when there is one.
  static func selecting(_ name: String?, in environment: [String: String]) -> [String: String] {
    guard let name else { return environment }
    var selected = environment
    selected[ExperimentSelection.idVariable] = nil
    selected[ExperimentSelection.nameVariable] = name
    return selected
  }

  private func path(of traceID: String) -> String { directory + "/" + traceID + ".json" }

  /// The journaled traces' file names, oldest trace ID order not guaranteed.
  private func fileNames() -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    return names.filter { $0.hasPrefix("tr-") && $0.hasSuffix(".json") }.sorted()
  }
}
