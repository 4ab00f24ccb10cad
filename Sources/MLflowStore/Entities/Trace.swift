/// A whole trace: its summary and its spans.
///
/// # Usage
/// ```swift
/// let trace = Trace(info: info, spans: [root, child])
/// let stored = try await store.logTrace(trace)
/// print(stored.tags["mlflow.artifactLocation"]!)
/// ```
public struct Trace: Sendable, Hashable, Codable {
  /// The trace's summary, metadata and tags.
  public var info: TraceInfo
  /// Root span first, then by start time (the order MLflow returns them in).
  public var spans: [Span]

  /// Creates a trace from its info and spans.
  package init(info: TraceInfo, spans: [Span]) {
    self.info = info
    self.spans = spans
  }
}

/// One page of a trace search.
public struct TracePage: Sendable, Hashable {
  /// The traces on this page, newest first (then by trace ID).
  public var traces: [TraceInfo]
  /// Pass this back to get the next page; `nil` on the last page.
  public var nextPageToken: String?

  /// Creates a page from its traces and the token of the next page.
  package init(traces: [TraceInfo], nextPageToken: String?) {
    self.traces = traces
    self.nextPageToken = nextPageToken
  }
}
