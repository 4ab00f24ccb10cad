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
/// `~/.local/state/mlflow-git/traces` outside a repository). Traces go there when their store
/// cannot take them, and when the exporter's queue is full (they are *spilled*).
///
/// One file per trace makes delivery exactly-once without bookkeeping: a file is removed only
/// after its store has the trace, and a store that already has it (a delivery interrupted
/// between the two) keeps it as it is. Deliveries send the traces in batches, split a batch the
/// store refuses so that one bad trace never holds back the others, and are serialized by a
/// lock in the folder.
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
    /// Traces their store refused as invalid; they are left in place, renamed `*.rejected`.
    public var rejected = 0
    /// Why some traces are still waiting or were rejected, when it is known.
    public var problem: String?
    /// The bytes of the files removed.
    var bytesRemoved = 0

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

  /// The bytes the waiting traces take on disk.
  var byteCount: Int { fileNames().reduce(0) { $0 + (PrivateFiles.size(of: directory + "/" + $1) ?? 0) } }

  /// Saves a trace that its store could not take; returns the bytes written.
  ///
  /// - Parameter durable: `false` skips the `fsync`: the trace survives the process being
  ///   killed, not a system crash (a file left empty is then set aside as `*.corrupt`).
  @discardableResult
  func save(_ pending: TraceExporter.Pending, durable: Bool = true) throws -> Int {
    try PrivateFiles.createDirectory(directory)
    let entry = Entry(
      trackingURI: pending.destination.trackingURI, trace: pending.trace,
      experimentName: pending.destination.experimentName)
    let data = try JSONEncoder().encode(entry)
    try PrivateFiles.replace(path(of: pending.trace.info.traceID), with: Array(data), durable: durable)
    return data.count
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
    await deliver(
      trackingURI: trackingURI, limit: nil, batchLimits: BatchLimits(environment: environment),
      stores: StoreAccess(environment: environment, relativeTo: "/"))
  }

  /// Delivers at most `limit` traces (all with `nil`), in batches within `batchLimits`,
  /// through `stores`.
  func deliver(trackingURI: String?, limit: Int?, batchLimits: BatchLimits, stores: StoreAccess) async -> Report {
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

    var unreachable: Set<String> = []
    var batches = BatchCollector<JournaledTrace>(limits: batchLimits)
    let decoder = JSONDecoder()
    var taken = 0
    var links = TraceLink.Cache(stateDirectory: stateDirectory)
    for name in names {
      if let limit, taken >= limit {
        report.remaining += 1
        continue
      }
      let path = directory + "/" + name
      guard let bytes = try? PrivateFiles.read(path) else { continue }  // delivered meanwhile
      guard let decoded = try? decoder.decode(Entry.self, from: Data(bytes)) else {
        rename(path, path + ".corrupt")
        report.unreadable += 1
        continue
      }
      if let trackingURI, decoded.trackingURI != trackingURI { continue }
      if unreachable.contains(decoded.trackingURI) {
        report.remaining += 1
        continue
      }
      guard let linked = links.linked(decoded.trace) else {
        report.remaining += 1
        continue
      }
      taken += 1
      let item = JournaledTrace(path: path, bytes: bytes.count, trace: linked, experimentName: decoded.experimentName)
      if let full = batches.add(item, bytes: bytes.count, uri: decoded.trackingURI) {
        await send(full, &report, &unreachable, stores)
      }
    }
    for batch in batches.drain() { await send(batch, &report, &unreachable, stores) }
    return report
  }

  /// One trace read from its file.
  struct JournaledTrace: Sendable {
    var path: String
    var bytes: Int
    var trace: Trace
    var experimentName: String?
  }

  private func send(
    _ batch: (uri: String, items: [JournaledTrace]),
    _ report: inout Report,
    _ unreachable: inout Set<String>,
    _ stores: StoreAccess
  ) async {
    guard !unreachable.contains(batch.uri) else {
      report.remaining += batch.items.count
      return
    }
    var traces = batch.items.map(\.trace)
    let outcome: BatchDelivery.Outcome
    do throws(MLflowStoreError) {
      let store = try await stores.store(batch.uri)
      for index in traces.indices where traces[index].info.experimentID.isEmpty {
        traces[index].info.experimentID = try await stores.experimentID(
          batch.uri, batch.items[index].experimentName, store)
      }
      outcome = await BatchDelivery.store(traces, in: store)
    } catch {
      outcome = BatchDelivery.Outcome(unavailable: Array(traces.indices), error: error)
    }
    for index in outcome.stored {
      unlink(batch.items[index].path)
      report.delivered += 1
      report.bytesRemoved += batch.items[index].bytes
    }
    for (index, error) in outcome.refused {
      if error.code == .invalidArgument {
        rename(batch.items[index].path, batch.items[index].path + ".rejected")
        report.rejected += 1
      } else {
        report.remaining += 1
      }
      report.problem = "\(batch.uri): \(error)"
    }
    if let error = outcome.unavailableError {
      unreachable.insert(batch.uri)
      report.remaining += outcome.unavailable.count
      report.problem = "\(batch.uri): \(error)"
    }
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

  /// The journaled traces' file names, in trace ID order (time order for IDs made here).
  private func fileNames() -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    return names.filter { $0.hasPrefix("tr-") && $0.hasSuffix(".json") }.sorted()
  }
}

/// How to reach the stores of journaled traces: opened on first use (credentials and
/// experiment selection from `environment`), or the exporter's own.
struct StoreAccess: Sendable {
  var store: @Sendable (String) async throws(MLflowStoreError) -> any TrackingStore
  /// The experiment of a trace without an ID: (tracking URI, the experiment its version named, store).
  var experimentID: @Sendable (String, String?, any TrackingStore) async throws(MLflowStoreError) -> String

  init(
    store: @escaping @Sendable (String) async throws(MLflowStoreError) -> any TrackingStore,
    experimentID: @escaping @Sendable (String, String?, any TrackingStore) async throws(MLflowStoreError) -> String
  ) {
    self.store = store
    self.experimentID = experimentID
  }

  /// Stores opened from their URIs (once each) with `environment`'s settings.
  init(environment: [String: String], relativeTo directory: String) {
    let cache = StoreCache()
    store = { (uri) throws(MLflowStoreError) in
      try await cache.store(for: uri, environment: environment, relativeTo: directory)
    }
    experimentID = { (uri, name, store) throws(MLflowStoreError) in
      try await cache.experimentID(for: uri, named: name, in: store, environment: environment)
    }
  }
}
