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
/// Traces wait in a bounded in-memory queue (`MLFLOW_GIT_TRACE_QUEUE_SIZE`, default 10,000).
/// One background task stores them in order. A trace the store cannot take (unreachable,
/// `mlflow.db` not created yet, locked) goes to the local trace journal and is delivered later;
/// after such a failure the store gets 5 seconds' rest, during which traces go straight to the
/// journal. When the queue is full, a trace is dropped, counted, and a warning says so once.
/// At normal process exit, queued traces are flushed (at most `MLFLOW_GIT_TRACE_FLUSH_TIMEOUT`
/// seconds, default 10); whatever is left then is journaled.
final class TraceExporter: Sendable {
  static let shared = TraceExporter(environment: ProcessDefaults.shared.environment)

  struct Pending: Sendable {
    var trace: Trace
    var destination: TraceDestination
  }

  private struct State: Sendable {
    var queue: [Pending] = []
    var head = 0
    var inFlight: Pending?
    var waiter: CheckedContinuation<Void, Never>?
    var workerStarted = false
    var counts = TraceExportCounts()
    var warnedAboutDropping = false
    /// Stores that failed, and until when traces for them go straight to the journal.
    var restingUntil: [String: ContinuousClock.Instant] = [:]
    /// Journals already delivered for a store since it last worked.
    var deliveredJournals: Set<String> = []
  }

  private let state = Mutex(State())
  private let stores = Mutex<[String: any TrackingStore]>([:])
  private let experiments = Mutex<[String: String]>([:])
  let capacity: Int
  let exitFlushTimeout: Duration
  let environment: [String: String]

  init(environment: [String: String]) {
    self.environment = environment
    capacity = environment["MLFLOW_GIT_TRACE_QUEUE_SIZE"].flatMap { Int($0) }.map { max(1, $0) } ?? 10_000
    exitFlushTimeout = .milliseconds(
      Int((environment["MLFLOW_GIT_TRACE_FLUSH_TIMEOUT"].flatMap { Double($0) } ?? 10) * 1000))
  }

  /// Queues a finished trace; never blocks.
  func export(_ trace: Trace, to destination: TraceDestination) {
    var startWorker = false
    var warnDropped = false
    let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
      guard state.queue.count - state.head < capacity else {
        state.counts.dropped += 1
        warnDropped = !state.warnedAboutDropping
        state.warnedAboutDropping = true
        return nil
      }
      state.queue.append(Pending(trace: trace, destination: destination))
      state.counts.pending += 1
      if !state.workerStarted {
        state.workerStarted = true
        startWorker = true
      }
      defer { state.waiter = nil }
      return state.waiter
    }
    if warnDropped {
      warn(
        "the trace queue is full (\(capacity) traces waiting for the store): traces are being dropped and counted; "
          + "call flushTraces() more often, or raise MLFLOW_GIT_TRACE_QUEUE_SIZE")
    }
    if startWorker {
      atexit { TraceExporter.shared.flushAtExit() }
      Task.detached(priority: .utility) { await self.run() }
    }
    waiter?.resume()
  }

  /// What has happened to the traces handed over so far.
  var counts: TraceExportCounts { state.withLock { $0.counts } }

  /// Waits until every trace queued before the call is stored or journaled, or `timeout`.
  func flush(timeout: Duration) async -> TraceExportCounts {
    let target = state.withLock { $0.counts.settled + $0.counts.pending }
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      let counts = self.counts
      if counts.settled >= target { return counts }
      try? await Task.sleep(for: .milliseconds(1))
    }
    return counts
  }

  /// The exit flush: waits for the queue to drain, then journals what is left.
  func flushAtExit() {
    let deadline = ContinuousClock.now + exitFlushTimeout
    while ContinuousClock.now < deadline {
      if state.withLock({ $0.counts.pending == 0 }) { return }
      usleep(1000)
    }
    let leftovers = state.withLock { state -> [Pending] in
      var leftovers = Array(state.queue[state.head...])
      if let inFlight = state.inFlight { leftovers.append(inFlight) }
      state.queue.removeAll()
      state.head = 0
      return leftovers
    }
    for pending in leftovers { journal(pending) }
    if !leftovers.isEmpty {
      warn("\(leftovers.count) trace(s) were not stored before exit; they are kept in the trace journal "
        + "and delivered by the next run or `mlflow-git sync`")
    }
  }

  private func run() async {
    while true {
      let pending = await next()
      let outcome = await deliver(pending)
      state.withLock { state in
        state.inFlight = nil
        state.counts.pending -= 1
        switch outcome {
        case .stored: state.counts.stored += 1
        case .journaled: state.counts.journaled += 1
        case .dropped: state.counts.dropped += 1
        }
      }
    }
  }

  private func next() async -> Pending {
    while true {
      let taken = state.withLock { state -> Pending? in
        guard state.head < state.queue.count else { return nil }
        let pending = state.queue[state.head]
        state.head += 1
        if state.head == state.queue.count {
          state.queue.removeAll(keepingCapacity: true)
          state.head = 0
        }
        state.inFlight = pending
        return pending
      }
      if let taken { return taken }
      await withCheckedContinuation { continuation in
        let ready = state.withLock { state -> Bool in
          if state.head < state.queue.count { return true }
          state.waiter = continuation
          return false
        }
        if ready { continuation.resume() }
      }
    }
  }

  enum Outcome { case stored, journaled, dropped }

  private func deliver(_ pending: Pending) async -> Outcome {
    let uri = pending.destination.trackingURI
    if let until = state.withLock({ $0.restingUntil[uri] }), ContinuousClock.now < until {
      return journal(pending) ? .journaled : .dropped
    }
    guard var trace = TraceLink.linked(pending.trace, stateDirectory: pending.destination.stateDirectory) else {
      return journal(pending) ? .journaled : .dropped  // its version waits for a final ID
    }
    do throws(MLflowStoreError) {
      let store = try await store(for: uri)
      if trace.info.experimentID.isEmpty {
        trace.info.experimentID = try await experimentID(for: uri, in: store, named: pending.destination.experimentName)
      }
      do throws(MLflowStoreError) {
        _ = try await store.logTrace(trace)
      } catch where error.code == .alreadyExists {
      }
      let journalKey = pending.destination.journalDirectory + "\u{0}" + uri
      let deliverJournal = state.withLock { state -> Bool in
        state.restingUntil[uri] = nil
        return state.deliveredJournals.insert(journalKey).inserted
      }
      if deliverJournal {
        let journal =
          pending.destination.stateDirectory.map { TraceJournal(stateDirectory: $0) }
          ?? TraceJournal(directory: pending.destination.journalDirectory)
        _ = await journal.deliver(trackingURI: uri, environment: environment)
      }
      return .stored
    } catch where error.code == .invalidArgument {
      warn("a trace could not be stored and was dropped: \(error)")
      return .dropped
    } catch {
      state.withLock { state in
        state.restingUntil[uri] = ContinuousClock.now + .seconds(5)
        state.deliveredJournals = state.deliveredJournals.filter { !$0.hasSuffix("\u{0}" + uri) }
      }
      stores.withLock { $0[uri] = nil }
      return journal(pending) ? .journaled : .dropped
    }
  }

  @discardableResult
  private func journal(_ pending: Pending) -> Bool {
    do {
      try TraceJournal(directory: pending.destination.journalDirectory).save(pending)
      return true
    } catch {
      warn("a trace could not be stored or journaled and was dropped: \(error)")
      return false
    }
  }

  func store(for uri: String) async throws(MLflowStoreError) -> any TrackingStore {
    if let store = stores.withLock({ $0[uri] }) { return store }
    let parsed = try TrackingURI.reconnecting(
      to: uri, environment: environment, relativeTo: FileManager.default.currentDirectoryPath,
      settingName: "the trace's tracking URI")
    let store = try await TrackingStores.open(parsed, environment: environment)
    stores.withLock { $0[uri] = store }
    return store
  }

  /// The experiment of traces for `uri` without an experiment ID: the one named `name` when
  /// there is one (see ``TraceDestination/experimentName``), else the environment's.
  func experimentID(for uri: String, in store: any TrackingStore, named name: String? = nil)
    async throws(MLflowStoreError) -> String
  {
    let selection = uri + "\u{0}" + (name ?? "")
    if let id = experiments.withLock({ $0[selection] }) { return id }
    let id = try await ExperimentSelection.resolve(
      in: store, environment: TraceJournal.selecting(name, in: environment)
    ).experimentID
    experiments.withLock { $0[selection] = id }
    return id
  }
}

/// What happened to the traces this process recorded.
public struct TraceExportCounts: Sendable, Hashable {
  /// Stored in their tracking store.
  public var stored = 0
  /// Kept in the local trace journal because the store could not take them; they are delivered
  /// later (next run, or `mlflow-git sync`).
  public var journaled = 0
  /// Lost: the queue was full, or neither the store nor the journal could take them.
  public var dropped = 0
  /// Still waiting in the queue or being stored.
  public var pending = 0

  /// Traces that reached an end state.
  public var settled: Int { stored + journaled + dropped }

  public init() {}
}
