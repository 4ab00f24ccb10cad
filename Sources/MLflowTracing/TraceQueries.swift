public import MLflowStore

/// Waits until the traces recorded so far are stored (or journaled, when their store is
/// unreachable), and those spilled to the trace journal while the queue was full are delivered,
/// at most `timeout`. Traces are also flushed at normal process exit.
///
/// # Usage
/// ```swift
/// let counts = await flushTraces()
/// if counts.journaled > 0 { print("\(counts.journaled) traces wait for the store") }
/// if counts.dropped > 0 { print("\(counts.dropped) traces were lost; see the warning") }
/// print("\(counts.pending) still queued, \(counts.spilled) spilled to the journal")
/// ```
@discardableResult
public func flushTraces(timeout: Duration = .seconds(30)) async -> TraceExportCounts {
  await TraceExporter.shared.flush(timeout: timeout)
}

/// The traces linked to a version, newest first, from the active version's store; like
/// Python's `mlflow.search_traces(model_id=…)`. Traces recorded so far are flushed first.
///
/// # Usage
/// ```swift
/// await enableGitModelVersioning()
/// for info in try await searchTraces() { print(info.traceID, info.state) }
/// ```
///
/// - Parameters:
///   - modelID: The version's model ID; by default the active version's.
///   - maxResults: At most this many (MLflow's default page size is 100).
/// - Throws: ``TracingError`` when no version is active and none is given, or the store fails.
public func searchTraces(modelID: String? = nil, maxResults: Int = 100) async throws(TracingError) -> [TraceInfo] {
  let destination = TraceDestination.current()
  guard let modelID = modelID ?? destination.modelID else { throw TracingError(.noActiveVersion) }
  await flushTraces(timeout: .seconds(10))
  let exporter = TraceExporter.shared
  do {
    let store = try await exporter.store(for: destination.trackingURI)
    let experimentID: String
    if let known = destination.experimentID {
      experimentID = known
    } else {
      experimentID = try await exporter.experimentID(
        for: destination.trackingURI, named: destination.experimentName, in: store)
    }
    var traces: [TraceInfo] = []
    var pageToken: String?
    repeat {
      let page = try await store.searchTraces(
        experimentIDs: [experimentID], modelID: modelID, maxResults: min(100, maxResults - traces.count),
        pageToken: pageToken)
      traces += page.traces
      pageToken = page.nextPageToken
    } while pageToken != nil && traces.count < maxResults
    return traces
  } catch {
    throw TracingError(.store(error))
  }
}

/// The trace with this ID, with all its spans, from the active version's store (or the store
/// MLflow would use); like Python's `mlflow.get_trace`. Traces recorded so far are flushed
/// first.
///
/// # Usage
/// ```swift
/// let trace = try await getTrace(traceID)
/// for span in trace.spans { print(span.name, span.type, span.parentSpanID ?? "root") }
/// ```
public func getTrace(_ traceID: String) async throws(TracingError) -> Trace {
  let destination = TraceDestination.current()
  await flushTraces(timeout: .seconds(10))
  do {
    return try await TraceExporter.shared.store(for: destination.trackingURI).trace(id: traceID)
  } catch {
    throw TracingError(.store(error))
  }
}
