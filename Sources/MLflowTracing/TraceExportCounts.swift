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
  /// Not settled yet: queued, being stored, or on their way to the journal (counted as spilled
  /// once the journal file holding them is complete).
  public var pending = 0

  /// Traces handed over that reached the store, the journal or their end.
  public var settled: Int { stored + journaled + spilled + dropped }

  /// All counts zero.
  package init() {}
}
