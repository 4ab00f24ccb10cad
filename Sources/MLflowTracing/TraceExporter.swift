import Dispatch
import LocalFiles
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
/// **Batches.** Traces wait in an in-memory queue, each as a ``TraceRecord`` (its bytes, so the
/// queue's byte bound is a bound on its memory); one background task takes what is queued in
/// batches (``BatchLimits``: 500 traces, 4 MiB, 5 ms linger by default) and stores each batch
/// with one ``TrackingStore/logTraces(_:)``: one SQLite transaction, or on a tracking server
/// one OTLP request for all the spans and one `StartTraceV3` per trace. A batch the store
/// refuses is split until the trace at fault is alone (``BatchDelivery``); a trace refused as
/// invalid is dropped, counted, and a warning says why.
///
/// **Journal.** Traces the store cannot take (unreachable, `mlflow.db` not created yet, locked)
/// go to the local trace journal, a batch per file, and are delivered later; after such a
/// failure the store gets 5 seconds' rest, during which traces go straight to the journal.
///
/// **A full queue spills.** The queue holds at most `MLFLOW_GIT_TRACE_QUEUE_SIZE` traces
/// (default 10,000) and `MLFLOW_GIT_TRACE_QUEUE_MB` (default 64) of them. Past that, the caller
/// hands the trace to the *overflow* (at most an eighth of `MLFLOW_GIT_TRACE_QUEUE_MB` more),
/// which a spill writer of its own empties into the journal, appending each batch with one
/// write to a segment file (see ``JournalFile``): the caller never writes a file. Only when
/// the overflow is full too — the disk takes traces slower than they come — does the caller
/// wait for room, at most `MLFLOW_GIT_TRACE_SPILL_WAIT_MS` (default 1000); then the trace is
/// dropped and counted. Once the queue is empty the exporter delivers the journal, in batches,
/// between new traces; the next run or `mlflow-git sync` deliver what is left. The journal has
/// a bound of its own, `MLFLOW_GIT_TRACE_JOURNAL_MB` (default 1024) per folder: past it traces
/// are dropped, counted (in ``flushTraces(timeout:)``'s counts and in the journal's counters,
/// which `mlflow-git doctor` shows), and a warning says so once.
///
/// **Exit.** At normal process exit, queued traces are flushed (at most
/// `MLFLOW_GIT_TRACE_FLUSH_TIMEOUT` seconds, default 10); whatever is left then is journaled.
final class TraceExporter: Sendable {
  static let shared = TraceExporter(environment: ProcessDefaults.shared.environment)

  /// A trace waiting in memory: its record, and where it goes.
  struct Pending: Sendable {
    var record: TraceRecord
    /// Where it goes (its source metadata is in the record).
    var destination: TraceDestination
    /// The memory it holds: the record, and the strings of its destination.
    var bytes: Int

    init(trace: Trace, destination: TraceDestination) {
      record = TraceRecord(trace: trace, trackingURI: destination.trackingURI, experimentName: destination.experimentName)
      var destination = destination
      destination.sourceMetadata = [:]
      self.destination = destination
      bytes = record.bytes.count + 32
        + [destination.trackingURI, destination.journalDirectory, destination.stateDirectory ?? "", destination.experimentName ?? ""]
        .reduce(0) { $0 + $1.utf8.count + 32 }
    }

    var backlog: Backlog {
      Backlog(
        journalDirectory: destination.journalDirectory, stateDirectory: destination.stateDirectory,
        trackingURI: destination.trackingURI)
    }
  }

  /// A journal the worker delivers once the queue is empty: one folder's traces for one store.
  struct Backlog: Hashable {
    var journalDirectory: String
    var stateDirectory: String?
    var trackingURI: String
  }

  struct State: Sendable {
    var queue: [Pending] = []
    var head = 0
    var queuedBytes = 0
    var inFlight: [Pending] = []
    /// Traces the queue had no room for, waiting for the spill writer.
    var overflow: [Pending] = []
    var overflowBytes = 0
    /// Bytes the spill writer took from the overflow and has not written yet.
    var spillingBytes = 0
    /// The spill writer is scheduled or running.
    var spilling = false
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

  let state = Mutex(State())
  /// Held while counters are added to the journals, so a flush returns after they are written.
  private let recording = Mutex(())
  /// The spill writer's open segments; used on `spillQueue` only.
  let spillSegments = SpillSegments()
  let spillQueue = DispatchQueue(label: "MLflowTracing.TraceExporter.spill")
  let stores = StoreCache()
  let capacity: Int
  let queueBytes: Int
  let overflowBytes: Int
  let spillWait: Duration
  let journalBytes: Int
  let batchLimits: BatchLimits
  let exitFlushTimeout: Duration
  let environment: [String: String]

  init(environment: [String: String]) {
    self.environment = environment
    capacity = environment["MLFLOW_GIT_TRACE_QUEUE_SIZE"].flatMap { Int($0) }.map { max(1, $0) } ?? 10_000
    queueBytes = Self.megabytes(environment["MLFLOW_GIT_TRACE_QUEUE_MB"]) ?? 64 << 20
    overflowBytes = queueBytes / 8
    spillWait = .milliseconds(environment["MLFLOW_GIT_TRACE_SPILL_WAIT_MS"].flatMap { Int($0) }.map { max(0, $0) } ?? 1000)
    journalBytes = Self.megabytes(environment["MLFLOW_GIT_TRACE_JOURNAL_MB"]) ?? 1024 << 20
    batchLimits = BatchLimits(environment: environment)
    exitFlushTimeout = .milliseconds(
      Int((environment["MLFLOW_GIT_TRACE_FLUSH_TIMEOUT"].flatMap { Double($0) } ?? 10) * 1000))
  }

  private static func megabytes(_ text: String?) -> Int? {
    text.flatMap { Double($0) }.map { max(0, Int($0 * 1_048_576)) }
  }

  /// Queues a finished trace; when the queue is full, hands it to the spill writer. Never waits
  /// for the store; waits for the disk only when the overflow is full as well (at most
  /// `spillWait`, then the trace is dropped and counted).
  func export(_ trace: Trace, to destination: TraceDestination) {
    let pending = Pending(trace: trace, destination: destination)
    var waitUntil: ContinuousClock.Instant?
    while true {
      switch place(pending) {
      case .queued(let waiter, let startWorker):
        if startWorker {
          atexit { TraceExporter.shared.flushAtExit() }
          Task.detached(priority: .utility) { await self.run() }
        }
        waiter?.resume()
        return
      case .overflowed(let startSpilling):
        if startSpilling { spillQueue.async { self.spillOverflow() } }
        return
      case .full:
        let now = ContinuousClock.now
        let deadline = waitUntil ?? now + spillWait
        waitUntil = deadline
        guard now < deadline else { return drop(pending, reason: .overflowFull) }
        usleep(200)
      }
    }
  }

  private enum Placement {
    case queued(CheckedContinuation<Void, Never>?, startWorker: Bool)
    case overflowed(startSpilling: Bool)
    case full
  }

  private func place(_ pending: Pending) -> Placement {
    state.withLock { state in
      if state.queuedCount < capacity && (state.queuedBytes + pending.bytes <= queueBytes || state.queuedCount == 0) {
        state.queue.append(pending)
        state.queuedBytes += pending.bytes
        state.counts.pending += 1
        let startWorker = !state.workerStarted
        state.workerStarted = true
        defer { state.waiter = nil }
        return .queued(state.waiter, startWorker: startWorker)
      }
      let held = state.overflowBytes + state.spillingBytes
      guard held + pending.bytes <= overflowBytes || held == 0 else { return .full }
      state.overflow.append(pending)
      state.overflowBytes += pending.bytes
      state.counts.pending += 1
      defer { state.spilling = true }
      return .overflowed(startSpilling: !state.spilling)
    }
  }

  /// What has happened to the traces handed over so far.
  var counts: TraceExportCounts { state.withLock { $0.counts } }

  /// What the exporter holds in memory: the traces in the queue's storage (queued, and taken
  /// but not let go yet), and the bytes of those queued and of those on their way to the
  /// journal.
  var held: (queueStorage: Int, bytes: Int) {
    state.withLock { state in
      (state.queue.count, state.queuedBytes + state.overflowBytes + state.spillingBytes)
    }
  }

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

  /// The exit flush: waits for the queue to drain, then journals what is left and seals the
  /// spill writer's segments.
  func flushAtExit() {
    let deadline = ContinuousClock.now + exitFlushTimeout
    while ContinuousClock.now < deadline {
      if state.withLock({ $0.queuedCount == 0 && $0.inFlight.isEmpty }) { break }
      usleep(1000)
    }
    let leftovers = state.withLock { state -> [Pending] in
      let leftovers = Array(state.queue[state.head...]) + state.inFlight
      state.queue.removeAll()
      state.head = 0
      state.queuedBytes = 0
      return leftovers
    }
    let journaled = journal(leftovers).filter { $0 == .journaled }.count
    state.withLock { state in
      state.counts.pending -= leftovers.count
      state.counts.journaled += journaled
      state.counts.dropped += leftovers.count - journaled
    }
    if !leftovers.isEmpty {
      warn("\(leftovers.count) trace(s) were not stored before exit; they are kept in the trace journal "
        + "and delivered by the next run or `mlflow-git sync`")
    }
    spillQueue.sync { spillOverflow() }
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
    var keys: [Backlog] = []
    var groups: [Backlog: [Pending]] = [:]
    for pending in batch {
      let key = pending.backlog
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
      return journal(group)
    }
    var outcomes: [Outcome] = []
    var sendable: [(pending: Pending, trace: Trace, experimentName: String?)] = []
    var held: [Pending] = []
    var links = TraceLink.Cache(stateDirectory: destination.stateDirectory)
    for pending in group {
      guard let contents = pending.record.decoded() else {
        warn("a queued trace could not be read back and was dropped")
        outcomes.append(.dropped)
        continue
      }
      if let linked = links.linked(contents.trace) {
        sendable.append((pending, linked, contents.experimentName))
      } else {
        held.append(pending)  // its version waits for a final ID
      }
    }
    outcomes += journal(held)
    guard !sendable.isEmpty else { return outcomes }
    var traces = sendable.map(\.trace)
    let outcome: BatchDelivery.Outcome
    do throws(MLflowStoreError) {
      let store = try await store(for: uri)
      for index in traces.indices where traces[index].info.experimentID.isEmpty {
        traces[index].info.experimentID = try await experimentID(
          for: uri, named: sendable[index].experimentName, in: store)
      }
      outcome = await BatchDelivery.store(traces, in: store)
    } catch {
      outcome = BatchDelivery.Outcome(unavailable: Array(traces.indices), error: error)
    }
    outcomes += outcome.stored.map { _ in .stored }
    var failed: [Pending] = []
    for (index, error) in outcome.refused {
      if error.code == .invalidArgument {
        warn("a trace could not be stored and was dropped: \(error)")
        outcomes.append(.dropped)
      } else {
        failed.append(sendable[index].pending)
      }
    }
    if outcome.unavailableError != nil {
      state.withLock { state in
        state.restingUntil[uri] = ContinuousClock.now + .seconds(5)
        state.deliveredJournals = state.deliveredJournals.filter { $0.trackingURI != uri }
      }
      stores.forget(uri)
      failed += outcome.unavailable.map { sendable[$0].pending }
    }
    outcomes += journal(failed)
    if !outcome.stored.isEmpty {
      // The store works: deliver what earlier runs left in the journal for it.
      let backlog = group[0].backlog
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

  /// Journals traces their store could not take, durably (the store may stay away): one file
  /// per journal folder. Past the journal's bound they are dropped, counted and warned about.
  func journal(_ pendings: [Pending]) -> [Outcome] {
    var outcomes: [Outcome] = []
    for (directory, group) in Dictionary(grouping: pendings, by: \.destination.journalDirectory) {
      let (fitting, over) = split(group, toFit: directory)
      if !over.isEmpty {
        state.withLock { $0.unrecorded[directory, default: (0, 0)].dropped += over.count }
        warn("\(over.count) trace(s) could not be stored, and the trace journal (\(directory)) is full "
          + "(\(journalBytes >> 20) MB): they were dropped")
        outcomes += over.map { _ in .dropped }
      }
      guard !fitting.isEmpty else { continue }
      do {
        let bytes = try TraceJournal(directory: directory).write(fitting.map(\.record))
        state.withLock { $0.journalBytes[directory, default: 0] += bytes }
        outcomes += fitting.map { _ in .journaled }
      } catch {
        warn("\(fitting.count) trace(s) could not be stored or journaled and were dropped: \(error)")
        outcomes += fitting.map { _ in .dropped }
      }
    }
    return outcomes
  }

  /// `pendings` split into those the journal in `directory` has room for and the others.
  func split(_ pendings: [Pending], toFit directory: String) -> (fitting: [Pending], over: [Pending]) {
    guard journalHasRoom(directory) else { return ([], pendings) }
    var room = journalBytes - (state.withLock { $0.journalBytes[directory] } ?? 0)
    var fitting = 0
    while fitting < pendings.count, room > 0 {
      room -= pendings[fitting].record.bytes.count
      fitting += 1
    }
    return (Array(pendings[..<fitting]), Array(pendings[fitting...]))
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

  enum DropReason { case overflowFull, journalFull, unwritable }

  /// Counts a trace lost on its way to the journal, and warns once.
  func drop(_ pending: Pending, reason: DropReason) {
    drop(count: 1, directory: pending.destination.journalDirectory, reason: reason)
  }

  func drop(count: Int, directory: String, reason: DropReason) {
    let warnNow = state.withLock { state -> Bool in
      state.counts.pending -= count
      state.counts.dropped += count
      state.unrecorded[directory, default: (0, 0)].dropped += count
      defer { state.warnedAboutDropping = true }
      return !state.warnedAboutDropping
    }
    guard warnNow else { return }
    switch reason {
    case .overflowFull:
      warn(
        "traces come faster than the trace journal (\(directory)) takes them: the queue is full and the traces on their "
          + "way to the journal waited \(spillWait) for room; traces are being dropped and counted")
    case .journalFull:
      warn(
        "the trace queue is full and the trace journal (\(directory)) holds its limit of \(journalBytes >> 20) MB: traces are "
          + "being dropped and counted; run `mlflow-git sync`, or raise MLFLOW_GIT_TRACE_JOURNAL_MB")
    case .unwritable:
      warn("the trace queue is full and the trace journal (\(directory)) cannot be written: traces are being dropped and counted")
    }
  }

  /// Adds this process's spills and drops to the journals' counters, at most once a second
  /// unless `force`.
  func recordJournalCounters(force: Bool) {
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
