import MLflowStore

/// How the exporter groups traces into one write: at most `count` traces and `bytes` bytes
/// (their estimated size), waiting at most `linger` for more once one is queued.
///
/// Set with `MLFLOW_GIT_TRACE_BATCH_SIZE` (default 500 traces), `MLFLOW_GIT_TRACE_BATCH_MB`
/// (default 4) and `MLFLOW_GIT_TRACE_BATCH_LINGER_MS` (default 5).
struct BatchLimits: Sendable {
  var count = 500
  var bytes = 4 << 20
  var linger: Duration = .milliseconds(5)

  init() {}

  init(environment: [String: String]) {
    if let value = environment["MLFLOW_GIT_TRACE_BATCH_SIZE"].flatMap({ Int($0) }) { count = max(1, value) }
    if let value = environment["MLFLOW_GIT_TRACE_BATCH_MB"].flatMap({ Double($0) }) { bytes = max(1, Int(value * 1_048_576)) }
    if let value = environment["MLFLOW_GIT_TRACE_BATCH_LINGER_MS"].flatMap({ Int($0) }) {
      linger = .milliseconds(max(0, value))
    }
  }
}

/// Groups items by their store into batches within ``BatchLimits``, in the order they come.
struct BatchCollector<Item> {
  let limits: BatchLimits
  private var open: [String: (items: [Item], bytes: Int)] = [:]
  private var order: [String] = []

  init(limits: BatchLimits) { self.limits = limits }

  /// Adds `item` (of `bytes` bytes) for the store at `uri`; returns that store's batch when it
  /// is full.
  mutating func add(_ item: Item, bytes: Int, uri: String) -> (uri: String, items: [Item])? {
    if open[uri] == nil { order.append(uri) }
    open[uri, default: ([], 0)].items.append(item)
    open[uri]!.bytes += bytes
    guard let batch = open[uri], batch.items.count >= limits.count || batch.bytes >= limits.bytes else { return nil }
    open[uri] = nil
    order.removeAll { $0 == uri }
    return (uri, batch.items)
  }

  /// The batches not full yet, emptying the collector.
  mutating func drain() -> [(uri: String, items: [Item])] {
    defer {
      open = [:]
      order = []
    }
    return order.compactMap { uri in open[uri].map { (uri, $0.items) } }
  }
}

/// The size a trace adds to a batch: the text of its info and spans, roughly as sent.
func estimatedSize(of trace: Trace) -> Int {
  var size = 512 + trace.info.metadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 8 }
  size += trace.info.tags.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 8 }
  size += (trace.info.requestPreview?.utf8.count ?? 0) + (trace.info.responsePreview?.utf8.count ?? 0)
  for span in trace.spans {
    size += 256 + span.name.utf8.count + span.attributes.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 8 }
    for event in span.events {
      size += 64 + event.name.utf8.count + event.attributes.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 8 }
    }
  }
  return size
}
