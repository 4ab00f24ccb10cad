import LocalFiles
import MLflowStore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

extension TraceJournal {
  /// One journal file being delivered, and what became of each of its traces. The file is
  /// settled once every trace taken from it has an outcome: removed, or rewritten with the
  /// traces still waiting.
  final class Ledger {
    let file: JournalFile
    let path: String
    var content: [UInt8] = []
    /// Traces sent and not answered yet.
    var outstanding = 0
    /// Every trace of the file has been taken (or kept).
    var loaded = false
    var settled = false
    var stored = 0
    /// Records still waiting: not for this delivery's store, held, or their store failed.
    var kept: [Range<Int>] = []
    var rejected: [Range<Int>] = []
    /// Some bytes of the file are not an intact record.
    var unreadable = false
    /// The lock of an open segment whose writer is gone, held until the file is settled.
    var orphan: OrphanedSegment?

    init(file: JournalFile, path: String) {
      self.file = file
      self.path = path
    }
  }

  /// A trace taken from a journal file, on its way to the store.
  struct Item {
    let ledger: Ledger
    let record: Range<Int>
    var trace: Trace
    let experimentName: String?
  }

  /// One delivery's progress: the files taken so far and the batches being filled.
  struct Delivery {
    let journal: TraceJournal
    let trackingURI: String?
    let stores: StoreAccess
    var report = Report()
    /// Traces sent (or about to be).
    private(set) var taken = 0
    private var batches: BatchCollector<Item>
    private var unreachable: Set<String> = []
    private var links: TraceLink.Cache
    private var ledgers: [Ledger] = []
    private let decoder = JSONDecoder()

    init(journal: TraceJournal, trackingURI: String?, batchLimits: BatchLimits, stores: StoreAccess) {
      self.journal = journal
      self.trackingURI = trackingURI
      self.stores = stores
      batches = BatchCollector(limits: batchLimits)
      links = TraceLink.Cache(stateDirectory: journal.stateDirectory)
    }

    /// Reads `file` and sends its traces (in batches with those of other files).
    mutating func take(_ file: JournalFile) async {
      let ledger = Ledger(file: file, path: journal.path(of: file))
      if case .open = file {
        guard let orphan = OrphanedSegment.take(ledger.path) else {
          report.remaining += 1  // its writer is still appending to it
          return
        }
        ledger.orphan = orphan
      }
      guard let content = PrivateFiles.contents(ledger.path) else {
        ledger.orphan?.release()
        return  // delivered meanwhile
      }
      ledger.content = content
      ledgers.append(ledger)
      if case .legacy = file {
        guard let entry = try? decoder.decode(Entry.self, from: Data(content)) else {
          rename(ledger.path, ledger.path + ".corrupt")
          report.unreadable += 1
          ledger.settled = true
          return
        }
        await consider(entry.trace, for: entry.trackingURI, experimentName: entry.experimentName, record: content.indices, in: ledger)
      } else {
        let (records, unreadable) = TraceRecord.split(content)
        ledger.unreadable = unreadable
        for record in records {
          guard let contents = TraceRecord.decode(content, at: record) else {
            ledger.unreadable = true
            continue
          }
          await consider(
            contents.trace, for: contents.trackingURI, experimentName: contents.experimentName, record: record, in: ledger)
        }
      }
      ledger.loaded = true
      settleIfDone(ledger)
    }

    /// Sends what is still collected and settles every file.
    mutating func finish() async {
      for batch in batches.drain() { await send(batch) }
      for ledger in ledgers where !ledger.settled {
        ledger.loaded = true
        settleIfDone(ledger)
      }
    }

    private mutating func consider(
      _ trace: Trace, for uri: String, experimentName: String?, record: Range<Int>, in ledger: Ledger
    ) async {
      if let trackingURI, uri != trackingURI {
        ledger.kept.append(record)
        return
      }
      guard !unreachable.contains(uri), let linked = links.linked(trace) else {
        ledger.kept.append(record)
        report.remaining += 1
        return
      }
      taken += 1
      ledger.outstanding += 1
      let item = Item(ledger: ledger, record: record, trace: linked, experimentName: experimentName)
      if let full = batches.add(item, bytes: record.count, uri: uri) { await send(full) }
    }

    private mutating func send(_ batch: (uri: String, items: [Item])) async {
      var outcomes = Array(repeating: Outcome.kept, count: batch.items.count)
      defer {
        for (item, outcome) in zip(batch.items, outcomes) {
          switch outcome {
          case .stored: item.ledger.stored += 1
          case .rejected: item.ledger.rejected.append(item.record)
          case .kept: item.ledger.kept.append(item.record)
          }
          item.ledger.outstanding -= 1
        }
        for item in batch.items { settleIfDone(item.ledger) }
      }
      guard !unreachable.contains(batch.uri) else {
        report.remaining += batch.items.count
        return
      }
      var traces = batch.items.map(\.trace)
      let outcome: BatchDelivery.Outcome
      do throws(MLflowStoreError) {
        let store = try await stores.store(batch.uri)
        for index in traces.indices where traces[index].info.experimentID.isEmpty {
          traces[index].info.experimentID = try await stores.experimentID(batch.uri, batch.items[index].experimentName, store)
        }
        outcome = await BatchDelivery.store(traces, in: store)
      } catch {
        outcome = BatchDelivery.Outcome(unavailable: Array(traces.indices), error: error)
      }
      for index in outcome.stored { outcomes[index] = .stored }
      report.delivered += outcome.stored.count
      for (index, error) in outcome.refused {
        if error.code == .invalidArgument {
          outcomes[index] = .rejected
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

    private enum Outcome { case stored, rejected, kept }

    /// Once every trace of the file has an outcome: removes the file, or writes the traces
    /// still waiting to a new segment first (a delivery killed in between leaves both; the
    /// store keeps the traces sent twice once). A file of an earlier version is left as it is
    /// while its trace waits.
    private mutating func settleIfDone(_ ledger: Ledger) {
      guard ledger.loaded, ledger.outstanding == 0, !ledger.settled else { return }
      ledger.settled = true
      defer {
        ledger.orphan?.release()
        ledger.content = []
      }
      if case .legacy = ledger.file {
        if !ledger.rejected.isEmpty {
          rename(ledger.path, ledger.path + ".rejected")
        } else if ledger.stored > 0 {
          unlink(ledger.path)
          report.bytesRemoved += ledger.content.count
        }
        return
      }
      guard ledger.stored > 0 || !ledger.rejected.isEmpty || ledger.unreadable else {
        if case .open = ledger.file {
          // Its writer died before sealing it: sealed for it, as it is.
          rename(
            ledger.path,
            journal.directory + "/" + JournalFile.sealedName(milliseconds: ledger.file.milliseconds, count: ledger.kept.count))
        }
        return
      }
      var written = 0
      do throws(LocalFileError) {
        if !ledger.kept.isEmpty {
          written = try journal.writeSegment(
            from: ledger.content, records: ledger.kept,
            named: JournalFile.sealedName(milliseconds: ledger.file.milliseconds, count: ledger.kept.count))
        }
        if !ledger.rejected.isEmpty {
          try journal.writeSegment(
            from: ledger.content, records: ledger.rejected,
            named: JournalFile.rejectedName(milliseconds: ledger.file.milliseconds, count: ledger.rejected.count))
        }
      } catch {
        // The file stays whole: its stored traces are sent again next time, and kept once.
        report.problem = "\(error)"
        return
      }
      if ledger.unreadable {
        rename(ledger.path, ledger.path + ".corrupt")
        report.unreadable += 1
      } else {
        unlink(ledger.path)
      }
      report.bytesRemoved += ledger.content.count - written
    }
  }

  /// Writes the `records` of `content` (ranges of it) as the durable file `name`; returns the
  /// bytes written.
  @discardableResult
  func writeSegment(from content: [UInt8], records: [Range<Int>], named name: String) throws(LocalFileError) -> Int {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(records.reduce(0) { $0 + $1.count })
    for record in records { bytes += content[record] }
    try PrivateFiles.replace(directory + "/" + name, with: bytes)
    return bytes.count
  }
}
