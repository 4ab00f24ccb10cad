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

/// Traces waiting for their store, in private files (mode 0600, in a 0700 folder) in the
/// repository's `<git common dir>/mlflow-git/traces` (or `~/.local/state/mlflow-git/traces`
/// outside a repository). Traces go there when their store cannot take them, and when the
/// exporter's queue is full (they are *spilled*).
///
/// The files are *segments* of many traces (see ``JournalFile``): a batch the store could not
/// take is written as one sealed segment; spilled traces are appended, a batch per write, to
/// a segment its writer seals when it is done with it. Per-trace JSON files that earlier
/// versions wrote are read and delivered the same way.
///
/// Delivery is exactly-once without bookkeeping: a file is removed (or rewritten with the
/// traces still waiting) only after the store has its traces, and a store that already has a
/// trace (a delivery interrupted between the two) keeps it as it is. Deliveries send the traces
/// in batches, split a batch the store refuses so that one bad trace never holds back the
/// others, and are serialized by a lock in the folder.
///
/// # Usage
/// ```swift
/// let report = await TraceJournal(directory: stateDirectory + "/traces").deliver()
/// print("\(report.delivered) delivered, \(report.remaining) still waiting")
/// ```
package struct TraceJournal: Sendable {
  /// The folder holding the journaled traces.
  package let directory: String
  /// The repository's mlflow-git state folder, whose provisional → final model IDs re-link
  /// traces at delivery; `nil` for the journal outside any repository.
  package let stateDirectory: String?

  /// The journal in `directory`, outside any repository.
  package init(directory: String) {
    self.directory = directory
    stateDirectory = nil
  }

  /// The journal of a repository whose mlflow-git state folder is `stateDirectory`
  /// (`<git common dir>/mlflow-git`).
  package init(stateDirectory: String) {
    directory = StateFolder(path: stateDirectory).traces
    self.stateDirectory = stateDirectory
  }

  /// What one delivery did.
  package struct Report: Sendable, Hashable {
    /// Traces now in their store.
    package var delivered = 0
    /// Traces still waiting (their store is unreachable, or another delivery is running).
    package var remaining = 0
    /// Files with traces that cannot be read; they are left in place, renamed `*.corrupt`,
    /// after the traces they hold that can be read are delivered.
    package var unreadable = 0
    /// Traces their store refused as invalid; they are set aside (`*.rejected`).
    package var rejected = 0
    /// Why some traces are still waiting or were rejected, when it is known.
    package var problem: String?
    /// The bytes of the files removed, less those written again.
    var bytesRemoved = 0

    package init() {}
  }

  /// A trace as the per-trace JSON files of earlier versions hold it.
  struct Entry: Codable {
    var trackingURI: String
    var trace: Trace
    var experimentName: String?
  }

  /// The number of traces waiting.
  package var count: Int {
    files().reduce(0) { total, file in
      total + (file.countByName ?? PrivateFiles.contents(path(of: file)).map { TraceRecord.split($0).records.count } ?? 0)
    }
  }

  /// The bytes the waiting traces take on disk.
  var byteCount: Int { files().reduce(0) { $0 + (PrivateFiles.size(of: path(of: $1)) ?? 0) } }

  /// Writes `records` as one sealed segment (durably, unless `durable` is `false`: then it
  /// survives the process being killed, not a system crash); returns the bytes written.
  @discardableResult
  func write(_ records: [TraceRecord], durable: Bool = true) throws(LocalFileError) -> Int {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(records.reduce(0) { $0 + $1.bytes.count })
    for record in records { bytes += record.bytes }
    try PrivateFiles.createDirectory(directory)
    try PrivateFiles.replace(
      directory + "/" + JournalFile.sealedName(milliseconds: TracingClock.nowMilliseconds(), count: records.count),
      with: bytes, durable: durable)
    return bytes.count
  }

  /// Stores the journaled traces (only those for `trackingURI`, when given) and removes them
  /// from the journal. A trace linked to a version with a provisional ID is re-linked to the
  /// ID the tracking server gave it, or kept until that version is delivered. Returns at once,
  /// with everything counted as remaining, when another delivery holds the journal's lock.
  ///
  /// - Parameter environment: Store settings (credentials, experiment selection).
  package func deliver(
    trackingURI: String? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) async -> Report {
    await deliver(
      trackingURI: trackingURI, limit: nil, batchLimits: BatchLimits(environment: environment),
      stores: StoreAccess(environment: environment, relativeTo: "/"))
  }

  /// Delivers whole files until at least `limit` traces were taken (all with `nil`), in
  /// batches within `batchLimits`, through `stores`.
  func deliver(trackingURI: String?, limit: Int?, batchLimits: BatchLimits, stores: StoreAccess) async -> Report {
    var delivery = Delivery(journal: self, trackingURI: trackingURI, batchLimits: batchLimits, stores: stores)
    let files = files()
    guard !files.isEmpty else { return delivery.report }
    let lock: FileLock?
    do {
      lock = try FileLock.tryAcquire(at: directory + "/.deliver.lock")
    } catch {
      delivery.report.remaining = files.reduce(0) { $0 + ($1.countByName ?? 1) }
      delivery.report.problem = "\(error)"
      return delivery.report
    }
    guard let lock else {
      delivery.report.remaining = files.reduce(0) { $0 + ($1.countByName ?? 1) }
      return delivery.report
    }
    defer { lock.release() }
    removeAbandonedTemporaryFiles()
    for file in files {
      if let limit, delivery.taken >= limit {
        delivery.report.remaining += file.countByName ?? 1
        continue
      }
      await delivery.take(file)
    }
    await delivery.finish()
    return delivery.report
  }

  /// `environment`, selecting the experiment named `name` when there is one.
  static func selecting(_ name: String?, in environment: [String: String]) -> [String: String] {
    guard let name else { return environment }
    var selected = environment
    selected[ExperimentSelection.idVariable] = nil
    selected[ExperimentSelection.nameVariable] = name
    return selected
  }

  func path(of file: JournalFile) -> String { directory + "/" + file.name }

  /// The journal's files, oldest first (segments by when they were started, then per-trace files
  /// in trace ID order: time order for IDs made here).
  func files() -> [JournalFile] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    return names.sorted().compactMap(JournalFile.init(name:))
  }

  /// Temporary files of segment writes whose process died before renaming them.
  private func removeAbandonedTemporaryFiles() {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    for name in names {
      let parts = name.split(separator: ".tmp-", maxSplits: 1)
      guard parts.count == 2, let pid = parts[1].split(separator: "-").first.flatMap({ pid_t($0) }),
        kill(pid, 0) != 0 && errno == ESRCH
      else { continue }
      unlink(directory + "/" + name)
    }
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
