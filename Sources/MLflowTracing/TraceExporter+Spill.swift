import LocalFiles
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension TraceExporter {
  /// A spill segment is sealed, and a new one started, once it holds this many bytes.
  static let segmentBytes = 4 << 20

  /// The spill writer: empties the overflow into the journal — each take appended to the
  /// folder's open segment with one write — until the overflow stays empty, then seals the
  /// open segments, so deliveries take them. Runs on `spillQueue`, never on a caller's thread.
  func spillOverflow() {
    while true {
      let taken = state.withLock { state -> [Pending] in
        let taken = state.overflow
        state.overflow = []
        state.spillingBytes += state.overflowBytes
        state.overflowBytes = 0
        if taken.isEmpty { state.spilling = false }
        return taken
      }
      guard !taken.isEmpty else {
        for directory in Array(spillSegments.byDirectory.keys) { sealSpillSegment(in: directory) }
        return
      }
      let bytes = taken.reduce(0) { $0 + $1.bytes }
      for group in Self.byJournal(taken) { append(group) }
      state.withLock { $0.spillingBytes -= bytes }
      // A small take: let a few more traces come, for fewer and larger writes.
      if bytes < 64 << 10 { usleep(2000) }
    }
  }

  /// `pendings` grouped by journal folder, in order of first appearance.
  private static func byJournal(_ pendings: [Pending]) -> [[Pending]] {
    var order: [String] = []
    var groups: [String: [Pending]] = [:]
    for pending in pendings {
      let directory = pending.destination.journalDirectory
      if groups[directory] == nil { order.append(directory) }
      groups[directory, default: []].append(pending)
    }
    return order.compactMap { groups[$0] }
  }

  /// Appends one folder's traces to its open segment, as far as the journal's bound allows.
  private func append(_ group: [Pending]) {
    let directory = group[0].destination.journalDirectory
    let (fitting, over) = split(group, toFit: directory)
    if !over.isEmpty { drop(count: over.count, directory: directory, reason: .journalFull) }
    guard !fitting.isEmpty else { return }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(fitting.reduce(0) { $0 + $1.record.bytes.count })
    for pending in fitting { bytes += pending.record.bytes }
    do {
      let segment = try spillSegments.byDirectory[directory]?.segment ?? OpenSegment(in: directory)
      try segment.append(bytes, count: fitting.count)
      spillSegments.byDirectory[directory, default: (segment, [])].backlogs.formUnion(fitting.map(\.backlog))
      let warnNow = state.withLock { state -> Bool in
        state.journalBytes[directory, default: 0] += bytes.count
        defer { state.warnedAboutSpilling = true }
        return !state.warnedAboutSpilling
      }
      if warnNow {
        warn(
          "the trace queue is full (\(capacity) traces or \(queueBytes >> 20) MB waiting for the store): traces are written "
            + "to the trace journal (\(directory)) and delivered when the exporter catches up, by the next run or by "
            + "`mlflow-git sync`")
      }
      if segment.size >= Self.segmentBytes { sealSpillSegment(in: directory) }
    } catch {
      warn("traces could not be written to the trace journal: \(error)")
      drop(count: fitting.count, directory: directory, reason: .unwritable)
    }
  }

  /// Seals the open segment in `directory`: its traces count as spilled, and the exporter
  /// delivers them when it catches up. A segment that cannot be renamed stays open-named and is
  /// delivered as one whose writer is gone.
  private func sealSpillSegment(in directory: String) {
    guard let (segment, backlogs) = spillSegments.byDirectory.removeValue(forKey: directory) else { return }
    do {
      try segment.seal()
    } catch {
      warn("a trace journal segment could not be sealed (\(error)); the next run or `mlflow-git sync` delivers it")
    }
    state.withLock { state in
      state.counts.pending -= segment.count
      state.counts.spilled += segment.count
      state.unrecorded[directory, default: (0, 0)].spilled += segment.count
      for backlog in backlogs { state.backlog[backlog, default: 0] += 1 }
    }
  }
}

/// The spill writer's open segments, by journal folder, each with the stores its traces go to.
/// Only the spill writer touches them, on its serial queue: that is what makes them safe to
/// share.
final class SpillSegments: @unchecked Sendable {
  var byDirectory: [String: (segment: OpenSegment, backlogs: Set<TraceExporter.Backlog>)] = [:]
}
