import GitVersioning
import MLflowServerStore
import MLflowStore
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Sends finished traces to their stores from a background task, so tracing costs the caller
/// only the recording.
///
/// **Batches.** Traces wait in an in-memory queue; one background task takes what is queued in
/// batches (``BatchLimits``: 500 traces, 4 MiB, 5 ms linger by default) and stores each batch
/// with one ``TrackingStore/logTraces(_:)``: one SQLite transaction, or on a tracking server
/// one OTLP request for all the spans and one `StartTraceV3` per trace. A batch the store
/// refuses is split until the trace at fault is alone (``BatchDelivery``); a trace refused as
/// invalid is dropped, counted, and a warning says why.
///
/// **Journal.** Traces the store cannot take (unreachable, `mlflow.db` not created yet, locked)
/// go to the local trace journal and are delivered later; after such a failure the store gets
/// 5 seconds' rest, during which traces go straight to the journal.
///
/// **A full queue spills.** The queue holds at most `MLFLOW_GIT_TRACE_QUEUE_SIZE` traces
/// (default 10,000) and `MLFLOW_GIT_TRACE_QUEUE_MB` (default 64). Past that, the caller writes
/// the trace to the journal itself (*spills* it): memory stays bounded however fast traces
/// come, and callers pay for a file write only while the store is behind. Once the queue is
/// empty the exporter delivers the journal, in batches, between new traces; the next run or
/// `mlflow-git sync` deliver what is left. The journal has a bound of its own,
/// `MLFLOW_GIT_TRACE_JOURNAL_MB` (default 1024) per folder: past it traces are dropped,
/// counted (in ``flushTraces(timeout:)``'s counts and in the journal's counters, which
/// `mlflow-git doctor` shows), and a warning says so once.
///
/// **Exit.** At normal process exit, queued traces are flushed (at most
/// `MLFLOW_GIT_TRACE_FLUSH_TIMEOUT` seconds, default 10); whatever is left then is journaled.
final class TraceExporter: Sendable {
  static let shared = TraceExporter(environment: ProcessDefaults.shared.environment)

  struct Pending: Sendable {
    var trace: Trace
    var destination: TraceDestination
    /// Its estimated size in a batch and in the queue.
    var bytes: Int

    init(trace: Trace, destination: TraceDestination) {
      self.trace = trace
      self.destination = destination
      bytes = estimatedSize(of: trace)
    }
  }

  /// A journal the worker delivers once the queue is empty: one folder's traces for one store.
  private struct Backlog: Hashable {
    var journalDirectory: String
    var stateDirectory: String?
    var trackingURI: String
  }

  private struct State: Sendable {
    var queue: [Pending] = []
    var head = 0
    var queuedBytes = 0
    var inFlight: [Pending] = []
    var waiter: CheckedContinuation<Void, Never>?
    var workerStarted = false
    var counts = TraceExportCounts()
    var warnedAboutSpilling = false
    var warnedAboutDropping = false
    /// Cuts the linger short: a flush is waiting.
    var flushing = 0
    /// Wakes the worker with an empty queue, to deliver the backlog.
    var kicked = false
    /// Stores that failed, and until when traces for them go straight to the journal.
    var restingUntil: [String: ContinuousClock.Instant] = [:]
    /// Journals to deliver once the queue is empty, each with a count of the traces added to it
    /// since (a delivery that started before the last one was added does not clear it).
    var backlog: [Backlog: Int] = [:]
    /// Journals delivered (or being delivered) for a store since it last worked.
    var deliveredJournals: Set<Backlog> = []
    /// Bytes in each journal folder, as last counted plus what was written since.
    var journalBytes: [String: Int] = [:]
    var journalCounted: [String: ContinuousClock.Instant] = [:]
    /// Spills and drops not yet added to each journal's counters.
    var unrecorded: [String: (spilled: Int, dropped: Int)] = [:]
    var recordedAt = ContinuousClock.now

    var queuedCount: Int { queue.count - head }
  }

  private let state = Mutex(State())
  /// Held while counters are added to the journals, so a flush returns after they are written.
  private let recording = Mutex(())
  let stores = StoreCache()
  let capacity: Int
  let queueBytes: Int
  let journalBytes: Int
  let batchLimits: BatchLimits
  let exitFlushTimeout: Duration
  let environment: [String: String]

  init(environment: [String: String]) {
    self.environment = environment
    capacity = environment["MLFLOW_GIT_TRACE_QUEUE_SIZE"].flatMap { Int($0) }.map { max(1, $0) } ?? 10_000
    queueBytes = Self.megabytes(environment["MLFLOW_GIT_TRACE_QUEUE_MB"]) ?? 64 << 20
    journalBytes = Self.megabytes(environment["MLFLOW_GIT_TRACE_JOURNAL_MB"]) ?? 1024 << 20
    batchLimits = BatchLimits(environment: environment)
    exitFlushTimeout = .milliseconds(
      Int((environment["MLFLOW_GIT_TRACE_FLUSH_TIMEOUT"].flatMap { Double($0) } ?? 10) * 1000))
  }

  private static func megabytes(_ text: String?) -> Int? {
    text.flatMap { Double($0) }.map { max(0, Int($0 * 1_048_576)) }
  }

  /// Queues a finished trace; when the queue is full, writes it to the journal instead.
  /// Never waits for the store.
  func export(_ trace: Trace, to destination: TraceDestination) {
    let pending = Pending(trace: trace, destination: destination)
    var startWorker = false
    var queued = false
    let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
      guard state.queuedCount < capacity && (state.queuedBytes + pending.bytes <= queueBytes || state.queuedCount == 0)
      else { return nil }
      queued = true
      state.queue.append(pending)
      state.queuedBytes += pending.bytes
      state.counts.pending += 1
      if !state.workerStarted {
        state.workerStarted = true
        startWorker = true
      }
      defer { state.waiter = nil }
      return state.waiter
    }
    if startWorker {
      atexit { TraceExporter.shared.flushAtExit() }
      Task.detached(priority: .utility) { await self.run() }
    }
    if queued {
      waiter?.resume()
    } else {
      spill(pending)
    }
  }

  /// What has happened to the traces handed over so far.
  var counts: TraceExportCounts { state.withLock { $0.counts } }

  /// The traces the queue's storage holds: those queued, and taken ones not yet let go.
  var retainedTraces: Int { state.withLock { $0.queue.count } }

  /// Waits until every trace queued before the call is stored, journaled or dropped, and the
  /// traces this process spilled are delivered (unless their store is resting after a
  /// failure), or `timeout`.
  func flush(timeout: Duration) async -> TraceExportCounts {
    let target = state.withLock { state -> Int in
      state.flushing += 1
      return state.counts.settled + state.counts.pending
    }
    defer { state.withLock { $0.flushing -= 1 } }
    let deadline = ContinuousClock.now + timeout
    while true {
      let (counts, done, waiter) = state.withLock { state -> (TraceExportCounts, Bool, CheckedContinuation<Void, Never>?) in
        let now = ContinuousClock.now
        let backlogWaits = state.backlog.keys.contains { (state.restingUntil[$0.trackingURI] ?? now) <= now }
        let settled = state.counts.settled >= target
        var waiter: CheckedContinuation<Void, Never>?
        if settled && backlogWaits && state.waiter != nil {
          state.kicked = true
          waiter = state.waiter
          state.waiter = nil
        }
        return (state.counts, settled && !backlogWaits, waiter)
      }
      waiter?.resume()
      if done || ContinuousClock.now >= deadline {
        recordJournalCounters(force: true)
        return counts
      }
      try? await Task.sleep(for: .milliseconds(1))
    }
  }

  /// The exit flush: waits for the queue to drain, then journals what is left.
  func flushAtExit() {
    let deadline = ContinuousClock.now + exitFlushTimeout
    while ContinuousClock.now < deadline {
      if state.withLock({ $0.counts.pending == 0 }) { break }
      usleep(1000)
    }
    let leftovers = state.withLock { state -> [Pending] in
      let leftovers = Array(state.queue[state.head...]) + state.inFlight
      state.queue.removeAll()
      state.head = 0
      state.queuedBytes = 0
      return leftovers
    }
    for pending in leftovers { journal(pending) }
    if !leftovers.isEmpty {
      warn("\(leftovers.count) trace(s) were not stored before exit; they are kept in the trace journal "
        + "and delivered by the next run or `mlflow-git sync`")
    }
    recordJournalCounters(force: true)
  }

  private func run() async {
    while true {
      await waitForWork()
      let batch = await nextBatch()
      var outcomes: [Outcome] = []
      for group in Self.groups(batch) { outcomes += await deliver(group) }
      state.withLock { state in
        state.inFlight = []
        state.counts.pending -= batch.count
        for outcome in outcomes {
          switch outcome {
          case .stored: state.counts.stored += 1
          case .journaled: state.counts.journaled += 1
          case .dropped: state.counts.dropped += 1
          }
        }
      }
      await deliverBacklog()
      recordJournalCounters(force: false)
    }
  }

  /// Waits until a trace is queued, or a flush wants the backlog delivered.
  private func waitForWork() async {
    while state.withLock({ state in
      defer { state.kicked = false }
      return state.queuedCount == 0 && !state.kicked
    }) {
      await withCheckedContinuation { continuation in
        let ready = state.withLock { state -> Bool in
          if state.queuedCount > 0 || state.kicked { return true }
          state.waiter = continuation
          return false
        }
        if ready { continuation.resume() }
      }
    }
  }

  /// The next batch (empty when the queue is): up to the linger for the batch to fill.
  private func nextBatch() async -> [Pending] {
    guard state.withLock({ $0.queuedCount > 0 }) else { return [] }
    let lingerEnd = ContinuousClock.now + batchLimits.linger
    while ContinuousClock.now < lingerEnd,
      state.withLock({ $0.queuedCount < batchLimits.count && $0.queuedBytes < batchLimits.bytes && $0.flushing == 0 })
    {
      try? await Task.sleep(for: .milliseconds(1))
    }
    return state.withLock { state -> [Pending] in
      var batch: [Pending] = []
      var bytes = 0
      while state.head < state.queue.count, batch.count < batchLimits.count, batch.isEmpty || bytes < batchLimits.bytes {
        let pending = state.queue[state.head]
        batch.append(pending)
        bytes += pending.bytes
        state.head += 1
      }
      state.queuedBytes -= bytes
      if state.head == state.queue.count {
        state.queue.removeAll(keepingCapacity: true)
        state.head = 0
      } else if state.head >= state.queue.count / 2 {
        // A queue that never empties (a store behind its traces) would otherwise keep every
        // trace it ever held.
        state.queue.removeFirst(state.head)
        state.head = 0
      }
      state.inFlight = batch
      return batch
    }
  }

  /// The batch split by destination, in order of first appearance.
  private static func groups(_ batch: [Pending]) -> [[Pending]] {
    var keys: [String] = []
    var groups: [String: [Pending]] = [:]
    for pending in batch {
      let key = pending.destination.trackingURI + "\u{0}" + pending.destination.journalDirectory + "\u{0}"
        + (pending.destination.stateDirectory ?? "")
      if groups[key] == nil { keys.append(key) }
      groups[key, default: []].append(pending)
    }
    return keys.compactMap { groups[$0] }
  }

  enum Outcome { case stored, journaled, dropped }

  /// Stores traces for one destination; each gets one outcome.
  private func deliver(_ group: [Pending]) async -> [Outcome] {
    guard let destination = group.first?.destination else { return [] }
    let uri = destination.trackingURI
    if let until = state.withLock({ $0.restingUntil[uri] }), ContinuousClock.now < until {
      return group.map(journal)
    }
    var outcomes: [Outcome] = []
    var sendable: [Pending] = []
    var links = TraceLink.Cache(stateDirectory: destination.stateDirectory)
    for pending in group {
      if let linked = links.linked(pending.trace) {
        var relinked = pending
        relinked.trace = linked
        sendable.append(relinked)
      } else {
        outcomes.append(journal(pending))  // its version waits for a final ID
      }
    }
    guard !sendable.isEmpty else { return outcomes }
    let outcome: BatchDelivery.Outcome
    do throws(MLflowStoreError) {
      let store = try await store(for: uri)
      for index in sendable.indices where sendable[index].trace.info.experimentID.isEmpty {
        sendable[index].trace.info.experimentID = try await experimentID(
          for: uri, named: sendable[index].destination.experimentName, in: store)
      }
      outcome = await BatchDelivery.store(sendable.map(\.trace), in: store)
    } catch {
      outcome = BatchDelivery.Outcome(unavailable: Array(sendable.indices), error: error)
    }
    outcomes += outcome.stored.map { _ in .stored }
    for (index, error) in outcome.refused {
      if error.code == .invalidArgument {
        warn("a trace could not be stored and was dropped: \(error)")
        outcomes.append(.dropped)
      } else {
        outcomes.append(journal(sendable[index]))
      }
    }
    if outcome.unavailableError != nil {
      state.withLock { state in
        state.restingUntil[uri] = ContinuousClock.now + .seconds(5)
        state.deliveredJournals = state.deliveredJournals.filter { $0.trackingURI != uri }
      }
      stores.forget(uri)
      outcomes += outcome.unavailable.map { journal(sendable[$0]) }
    }
    if !outcome.stored.isEmpty {
      // The store works: deliver what earlier runs left in the journal for it.
      let backlog = Backlog(
        journalDirectory: destination.journalDirectory, stateDirectory: destination.stateDirectory, trackingURI: uri)
      state.withLock { state in
        state.restingUntil[uri] = nil
        if state.deliveredJournals.insert(backlog).inserted { state.backlog[backlog, default: 0] += 1 }
      }
    }
    return outcomes
  }

  /// While the queue is empty, delivers the journals in the backlog, a few batches at a time.
  private func deliverBacklog() async {
    while true {
      let next = state.withLock { state -> (Backlog, Int)? in
        guard state.queuedCount == 0 else { return nil }
        let now = ContinuousClock.now
        return state.backlog.first { (state.restingUntil[$0.key.trackingURI] ?? now) <= now }.map { ($0.key, $0.value) }
      }
      guard let (backlog, added) = next else { return }
      let journal =
        backlog.stateDirectory.map { TraceJournal(stateDirectory: $0) } ?? TraceJournal(directory: backlog.journalDirectory)
      let report = await journal.deliver(
        trackingURI: backlog.trackingURI, limit: batchLimits.count * 4, batchLimits: batchLimits,
        stores: StoreAccess(
          store: { (uri) throws(MLflowStoreError) in try await self.store(for: uri) },
          experimentID: { (uri, name, store) throws(MLflowStoreError) in
            try await self.experimentID(for: uri, named: name, in: store)
          }))
      state.withLock { state in
        state.counts.storedFromJournal += report.delivered
        state.journalBytes[backlog.journalDirectory]? -= report.bytesRemoved
        if (report.delivered == 0 || report.remaining == 0) && state.backlog[backlog] == added {
          state.backlog[backlog] = nil
        }
        if report.delivered == 0 && report.remaining > 0 && report.problem != nil {
          state.restingUntil[backlog.trackingURI] = ContinuousClock.now + .seconds(5)
        }
      }
    }
  }

  /// Writes a trace the queue has no room for to the journal, on the caller's thread.
  private func spill(_ pending: Pending) {
    let directory = pending.destination.journalDirectory
    var saved = false
    if journalHasRoom(directory) {
      do {
        let bytes = try TraceJournal(directory: directory).save(pending, durable: false)
        saved = true
        state.withLock { state in
          state.journalBytes[directory, default: 0] += bytes
          state.counts.spilled += 1
          state.unrecorded[directory, default: (0, 0)].spilled += 1
          let backlog = Backlog(
            journalDirectory: directory, stateDirectory: pending.destination.stateDirectory,
            trackingURI: pending.destination.trackingURI)
          state.backlog[backlog, default: 0] += 1
        }
      } catch {
        warn("a trace could not be queued or journaled and was dropped: \(error)")
      }
    }
    let (warnSpilling, warnDropping) = state.withLock { state -> (Bool, Bool) in
      if !saved {
        state.counts.dropped += 1
        state.unrecorded[directory, default: (0, 0)].dropped += 1
      }
      defer {
        state.warnedAboutSpilling = true
        if !saved { state.warnedAboutDropping = true }
      }
      return (saved && !state.warnedAboutSpilling, !saved && !state.warnedAboutDropping)
    }
    if warnSpilling {
      warn(
        "the trace queue is full (\(capacity) traces or \(queueBytes >> 20) MB waiting for the store): traces are written to "
          + "the trace journal (\(directory)) and delivered when the exporter catches up, by the next run or by `mlflow-git sync`")
    }
    if warnDropping {
      warn(
        "the trace queue is full and the trace journal (\(directory)) holds its limit of \(journalBytes >> 20) MB: traces are "
          + "being dropped and counted; run `mlflow-git sync`, or raise MLFLOW_GIT_TRACE_JOURNAL_MB")
    }
  }

  /// Journals a trace its store could not take (durably: the store may stay away).
  @discardableResult
  private func journal(_ pending: Pending) -> Outcome {
    let directory = pending.destination.journalDirectory
    guard journalHasRoom(directory) else {
      state.withLock { $0.unrecorded[directory, default: (0, 0)].dropped += 1 }
      warn("a trace could not be stored, and the trace journal (\(directory)) is full (\(journalBytes >> 20) MB): it was dropped")
      return .dropped
    }
    do {
      let bytes = try TraceJournal(directory: directory).save(pending)
      state.withLock { $0.journalBytes[directory, default: 0] += bytes }
      return .journaled
    } catch {
      warn("a trace could not be stored or journaled and was dropped: \(error)")
      return .dropped
    }
  }

  /// Whether the journal in `directory` is below its bound; counted on first use and again at
  /// most once a second while it looks full (other processes deliver from it too).
  private func journalHasRoom(_ directory: String) -> Bool {
    let now = ContinuousClock.now
    let (known, countedAt) = state.withLock { ($0.journalBytes[directory], $0.journalCounted[directory]) }
    if let known, known < journalBytes { return true }
    if known != nil, let countedAt, now - countedAt < .seconds(1) { return false }
    let bytes = TraceJournal(directory: directory).byteCount
    state.withLock { state in
      state.journalBytes[directory] = bytes
      state.journalCounted[directory] = now
    }
    return bytes < journalBytes
  }

  /// Adds this process's spills and drops to the journals' counters, at most once a second
  /// unless `force`.
  private func recordJournalCounters(force: Bool) {
    recording.withLock { _ in
      let pending = state.withLock { state -> [String: (spilled: Int, dropped: Int)] in
        guard !state.unrecorded.isEmpty, force || ContinuousClock.now - state.recordedAt >= .seconds(1) else { return [:] }
        defer {
          state.unrecorded = [:]
          state.recordedAt = ContinuousClock.now
        }
        return state.unrecorded
      }
      for (directory, counts) in pending {
        try? TraceJournal(directory: directory).addToCounters(spilled: counts.spilled, dropped: counts.dropped)
      }
    }
  }

  func store(for uri: String) async throws(MLflowStoreError) -> any TrackingStore {
    try await stores.store(for: uri, environment: environment, relativeTo: FileManager.default.currentDirectoryPath)
  }

  func experimentID(for uri: String, named name: String?, in store: any TrackingStore)
    async throws(MLflowStoreError) -> String
  {
    try await stores.experimentID(for: uri, named: name, in: store, environment: environment)
  }
}

/// What happened to the traces this process recorded.
public struct TraceExportCounts: Sendable, Hashable {
  /// Stored in their tracking store.
  public var stored = 0
  /// Taken from the trace journal and stored by this process: traces it spilled or journaled,
  /// or that earlier runs left there.
  public var storedFromJournal = 0
  /// Kept in the local trace journal because the store could not take them; they are delivered
  /// later (next run, or `mlflow-git sync`).
  public var journaled = 0
  /// Written to the trace journal because the queue was full; the exporter delivers them when
  /// it catches up (else the next run, or `mlflow-git sync`).
  public var spilled = 0
  /// Lost: refused by the store as invalid, or neither the queue, the store nor the journal
  /// (full, or not writable) could take them.
  public var dropped = 0
  /// Still waiting in the queue or being stored.
  public var pending = 0

  /// Traces handed over that reached the store, the journal or their end.
  public var settled: Int { stored + journaled + spilled + dropped }

  public init() {}
}
