extension SQLiteTrackingStore {
  public func logTrace(_ trace: Trace) async throws(MLflowStoreError) -> TraceInfo {
    let prepared = try TraceRows.Prepared(trace)
    return try await withConnection { (connection) throws(MLflowStoreError) -> TraceInfo in
      try connection.writeTransaction { () throws(MLflowStoreError) -> TraceInfo in
        var writer = try TraceRows.Writer(connection: connection)
        return try writer.insert(prepared, unlessStored: false)!
      }
    }
  }

  /// Stores the batch in one transaction. Each trace's rows are made before it, on the calling
  /// task, so the store's queue spends its time in SQLite.
  public func logTraces(_ traces: [Trace]) async throws(MLflowStoreError) {
    var prepared: [TraceRows.Prepared] = []
    prepared.reserveCapacity(traces.count)
    for trace in traces { prepared.append(try TraceRows.Prepared(trace)) }
    let batch = prepared
    try await withConnection { (connection) throws(MLflowStoreError) in
      try connection.writeTransaction { () throws(MLflowStoreError) in
        var writer = try TraceRows.Writer(connection: connection)
        for trace in batch { _ = try writer.insert(trace, unlessStored: true) }
      }
    }
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
    var parsed: [Int64] = []
    for id in experimentIDs { parsed.append(try ExperimentRows.parseID(id)) }
    let experimentNumbers = parsed
    let search = TraceRows.fingerprint(experimentIDs: experimentIDs, modelID: modelID)
    let offset = try PageToken.offset(of: pageToken, search: search)
    return try await withConnection { (connection) throws(MLflowStoreError) -> TracePage in
      try connection.readTransaction { () throws(MLflowStoreError) -> TracePage in
        let rows = try TraceRows.search(
          experimentNumbers: experimentNumbers, modelID: modelID, limit: maxResults, offset: offset, in: connection)
        let traces = try TraceRows.infos(from: Array(rows.prefix(maxResults)), in: connection)
        let next = rows.count > maxResults ? PageToken.encode(offset: offset + maxResults, search: search) : nil
        return TracePage(traces: traces, nextPageToken: next)
      }
    }
  }

  public func trace(id: String) async throws(MLflowStoreError) -> Trace {
    try await withConnection { (connection) throws(MLflowStoreError) -> Trace in
      try connection.readTransaction { () throws(MLflowStoreError) -> Trace in
        guard let row = try TraceRows.find(id: id, in: connection),
          let info = try TraceRows.infos(from: [row], in: connection).first
        else { throw TraceRows.notFound(id: id) }
        return Trace(info: info, spans: try TraceRows.spans(ofTrace: id, in: connection))
      }
    }
  }
}
