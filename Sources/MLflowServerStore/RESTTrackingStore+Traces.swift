public import MLflowStore

extension RESTTrackingStore {
  public func logTrace(_ trace: Trace) async throws(MLflowStoreError) -> TraceInfo {
    try EntityValidation.validate(trace)
    _ = try EntityValidation.experimentNumber(trace.info.experimentID)
    let traceID = trace.info.traceID
    do throws(MLflowStoreError) {
      let stored = try await traceInfo(id: traceID)
      // A trace whose stored info lacks metadata this one carries (its model link, say) was half
      // logged: an attempt with this ID sent its spans, from which the server made the trace, and
      // stopped before sending its info (the server went down, the process was killed). Both
      // requests are idempotent on the server (spans are upserted, the info merged), so it is
      // finished now instead of being reported as existing.
      guard trace.info.metadata.contains(where: { stored.metadata[$0.key] == nil }) else {
        throw MLflowStoreError(
          code: .alreadyExists, message: "a trace with ID \(traceID) already exists; give a new trace a new ID")
      }
    } catch where error.code == .traceNotFound {
      // The ID is free.
    }
    try await logSpans(trace.spans, experimentID: trace.info.experimentID, action: "log the spans of trace \(traceID)")
    try await startTrace(trace.info)
    return try await traceInfo(id: traceID)
  }

  public func logTraces(_ traces: [Trace]) async throws(MLflowStoreError) {
    var experiments: [String] = []
    for trace in traces {
      try EntityValidation.validate(trace)
      _ = try EntityValidation.experimentNumber(trace.info.experimentID)
      if !experiments.contains(trace.info.experimentID) { experiments.append(trace.info.experimentID) }
    }
    // The infos first: a trace the spans request finds already started is only updated, while
    // one it creates makes the StartTraceV3 that follows take the server's slower merge path.
    var next = 0
    let failure = await withTaskGroup(of: MLflowStoreError?.self) { group -> MLflowStoreError? in
      func startNext() {
        guard next < traces.count else { return }
        let info = traces[next].info
        next += 1
        group.addTask {
          do throws(MLflowStoreError) {
            try await self.startTrace(info)
            return nil
          } catch {
            return error
          }
        }
      }
      for _ in 0..<Self.concurrentTraceInfos { startNext() }
      while let outcome = await group.next() {
        if let error = outcome {
          group.cancelAll()
          return error
        }
        startNext()
      }
      return nil
    }
    if let failure { throw failure }
    for experimentID in experiments {
      let spans = traces.filter { $0.info.experimentID == experimentID }.flatMap(\.spans)
      try await logSpans(spans, experimentID: experimentID, action: "log the spans of \(traces.count) traces")
    }
  }

  /// `StartTraceV3` requests in flight at once while a batch is stored.
  static let concurrentTraceInfos = 8

  /// Sends spans (of one or many traces of one experiment) by OTLP/HTTP, in one request.
  private func logSpans(_ spans: [Span], experimentID: String, action: String) async throws(MLflowStoreError) {
    var request = RESTRequest("POST", "/v1/traces", action: action)
    request.body = OTLPSpans.exportRequest(spans)
    request.headers = [("x-mlflow-experiment-id", experimentID)]
    request.notFound = .experimentNotFound
    _ = try await client.send(request)
  }

  /// `StartTraceV3`: the trace's info, metadata and tags; a trace the server has is merged.
  private func startTrace(_ trace: TraceInfo) async throws(MLflowStoreError) {
    var info = trace
    info.requestPreview = info.requestPreview.map(EntityValidation.preview)
    info.responsePreview = info.responsePreview.map(EntityValidation.preview)
    if info.metadata[TraceInfo.schemaVersionKey] == nil { info.metadata[TraceInfo.schemaVersionKey] = "3" }
    var start = RESTRequest("POST", "/api/3.0/mlflow/traces", action: "log trace \(info.traceID)")
    start.body = .object([("trace", .object([("trace_info", TraceInfoJSON.json(info))]))])
    start.notFound = .experimentNotFound
    _ = try await client.send(start)
  }

  /// The stored info of one trace, without spans.
  private func traceInfo(id: String) async throws(MLflowStoreError) -> TraceInfo {
    var request = RESTRequest("GET", "/api/3.0/mlflow/traces/" + RESTRequest.encode(id), action: "get trace \(id)")
    request.notFound = .traceNotFound
    let answer = try await client.send(request)
    guard let info = answer["trace"]?["trace_info"].flatMap(TraceInfoJSON.info(from:)) else {
      throw Self.malformed(request.action, "no trace info")
    }
    return info
  }

  public func searchTraces(
    experimentIDs: [String],
    modelID: String?,
    maxResults: Int,
    pageToken: String?
  ) async throws(MLflowStoreError) -> TracePage {
    guard maxResults >= 1 else {
      throw MLflowStoreError(code: .invalidArgument, message: "maxResults is \(maxResults); ask for at least 1 trace")
    }
    guard !experimentIDs.isEmpty else {
      throw MLflowStoreError(code: .invalidArgument, message: "no experiment IDs given; name the experiments to search")
    }
    for id in experimentIDs { _ = try EntityValidation.experimentNumber(id) }
    let fingerprint = JSONValue.object([
      ("experiment_ids", .array(experimentIDs.map { .string($0) })),
      ("model_id", modelID.map { .string($0) } ?? .null),
    ])
    let cursor = try SearchCursor(token: pageToken, search: fingerprint)
    // A model ID MLflow's filter cannot quote is matched only here.
    let filter = modelID.flatMap { id in
      id.contains("'") || id.hasSuffix("\\") ? nil : "request_metadata.`\(TraceInfo.modelIDKey)` = '\(id)'"
    }
    let (traces, next) = try await cursor.collect(
      count: maxResults,
      pageSize: filter != nil || modelID == nil ? maxResults : max(maxResults, 100),
      fetch: { (token, size) throws(MLflowStoreError) in
        try await self.searchTracePage(experimentIDs: experimentIDs, filter: filter, pageToken: token, pageSize: size)
      },
      matches: { info in modelID == nil || info.metadata[TraceInfo.modelIDKey] == modelID })
    return TracePage(traces: traces, nextPageToken: next?.token(search: fingerprint))
  }

  private func searchTracePage(
    experimentIDs: [String], filter: String?, pageToken: String?, pageSize: Int
  ) async throws(MLflowStoreError) -> (items: [TraceInfo], next: String?) {
    var body: [(key: String, value: JSONValue)] = [
      ("locations", .array(experimentIDs.map { TraceInfoJSON.location(experimentID: $0) }))
    ]
    if let filter { body.append(("filter", .string(filter))) }
    body.append(("max_results", .integer(Int64(min(pageSize, 500)))))
    if let pageToken { body.append(("page_token", .string(pageToken))) }
    var request = RESTRequest("POST", "/api/3.0/mlflow/traces/search", action: "search traces")
    request.body = .object(body)
    request.notFound = .experimentNotFound
    let answer = try await client.send(request)
    return ((answer["traces"]?.elements ?? []).compactMap(TraceInfoJSON.info(from:)), answer["next_page_token"]?.nonEmptyString)
  }

  public func trace(id: String) async throws(MLflowStoreError) -> Trace {
    var request = RESTRequest("GET", "/api/3.0/mlflow/traces/get", action: "get trace \(id)")
    request.query = [("trace_id", id)]
    request.notFound = .traceNotFound
    let answer = try await client.send(request)
    guard let json = answer["trace"], let info = json["trace_info"].flatMap(TraceInfoJSON.info(from:)) else {
      throw Self.malformed(request.action, "no trace")
    }
    return Trace(info: info, spans: OTLPSpans.spans(from: json["spans"]?.elements ?? [], traceID: info.traceID))
  }
}
