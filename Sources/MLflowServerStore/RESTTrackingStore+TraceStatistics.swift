package import MLflowStore

extension RESTTrackingStore: TraceStatisticsStore {
  /// Pages through MLflow's trace search (`POST /api/3.0/mlflow/traces/search`, 500 a page)
  /// with each version's filter and the time window, and sums up each page's trace infos and
  /// their assessments as they arrive (``TraceStatisticsBuilder``); up to four versions at once.
  package func traceStatistics(_ queries: [TraceStatisticsQuery]) async throws(MLflowStoreError) -> [TraceStatistics] {
    var statistics: [TraceStatistics] = []
    for start in stride(from: 0, to: queries.count, by: 4) {
      let batch = Array(queries[start..<min(start + 4, queries.count)])
      let found: [Int: TraceStatistics]
      do {
        found = try await withThrowingTaskGroup(of: (Int, TraceStatistics).self) { group in
          for (index, query) in batch.enumerated() {
            group.addTask { (index, try await self.traceStatistics(of: query)) }
          }
          var found: [Int: TraceStatistics] = [:]
          for try await (index, figures) in group { found[index] = figures }
          return found
        }
      } catch let error as MLflowStoreError {
        throw error
      } catch {
        throw MLflowStoreError(code: .storeUnavailable, message: "the trace search was cancelled: \(error)")
      }
      statistics += batch.indices.compactMap { found[$0] }
    }
    return statistics
  }

  private func traceStatistics(of query: TraceStatisticsQuery) async throws(MLflowStoreError) -> TraceStatistics {
    _ = try EntityValidation.experimentNumber(query.experimentID)
    var clauses: [String] = []
    // A model ID MLflow's filter cannot quote is matched only here.
    if !query.modelID.contains("'") && !query.modelID.hasSuffix("\\") {
      clauses.append("request_metadata.`\(TraceInfo.modelIDKey)` = '\(query.modelID)'")
    }
    if let since = query.since { clauses.append("trace.timestamp_ms >= \(since)") }
    if let until = query.until { clauses.append("trace.timestamp_ms < \(until)") }
    var builder = TraceStatisticsBuilder()
    var pageToken: String?
    repeat {
      var body: [(key: String, value: JSONValue)] = [
        ("locations", .array([TraceInfoJSON.location(experimentID: query.experimentID)])),
        ("max_results", .integer(500)),
      ]
      if !clauses.isEmpty { body.append(("filter", .string(clauses.joined(separator: " AND ")))) }
      if let pageToken { body.append(("page_token", .string(pageToken))) }
      var request = RESTRequest("POST", "/api/3.0/mlflow/traces/search", action: "search the traces of \(query.modelID)")
      request.body = .object(body)
      request.notFound = .experimentNotFound
      let answer = try await client.send(request)
      for json in answer["traces"]?.elements ?? [] {
        guard let info = TraceInfoJSON.info(from: json), info.metadata[TraceInfo.modelIDKey] == query.modelID,
          query.since.map({ info.requestTime >= $0 }) ?? true, query.until.map({ info.requestTime < $0 }) ?? true
        else { continue }
        builder.add(info, assessments: (json["assessments"]?.elements ?? []).map(Self.assessment(from:)))
      }
      pageToken = answer["next_page_token"]?.nonEmptyString
    } while pageToken != nil
    return builder.statistics
  }

  /// An `Assessment` message as statistics need it: feedback or expectation, valid, its value.
  private static func assessment(from json: JSONValue) -> TraceStatisticsBuilder.Assessment {
    let feedback = json["feedback"]
    return TraceStatisticsBuilder.Assessment(
      name: json["assessment_name"]?.stringValue ?? "", isFeedback: feedback != nil,
      isValid: json["valid"].map { $0 != .bool(false) } ?? true, value: feedback?["value"])
  }
}
