import ChildProcess

/// The trace metadata MLflow 3.17 keeps in `trace_info` columns instead of
/// `trace_request_metadata` rows: the session ID, token usage and cost. On write they move to
/// the columns; on read they are rebuilt, as MLflow does.
struct TraceAnalytics {
  static let sessionKey = "mlflow.trace.session"
  static let tokenUsageKey = "mlflow.trace.tokenUsage"
  static let costKey = "mlflow.trace.cost"
  static let promotedKeys: Set<String> = [sessionKey, tokenUsageKey, costKey]

  /// The token usage keys and their columns, in MLflow's order.
  static let tokenColumns: [(key: String, column: String)] = [
    ("input_tokens", "input_tokens"),
    ("output_tokens", "output_tokens"),
    ("total_tokens", "total_tokens"),
    ("cache_read_input_tokens", "cache_read_input_tokens"),
    ("cache_creation_input_tokens", "cache_creation_input_tokens"),
    ("cache_creation_input_tokens_above_1hr", "cache_creation_input_tokens_above_1hr"),
  ]
  /// The cost keys and their columns, in MLflow's order.
  static let costColumns: [(key: String, column: String)] = [
    ("input_cost", "input_cost"), ("output_cost", "output_cost"), ("total_cost", "total_cost"),
  ]

  var sessionID: String?
  /// Token counts in ``tokenColumns`` order.
  var tokens: [Int64?]
  /// Costs in ``costColumns`` order.
  var costs: [Double?]

  /// The column values for `metadata`, as MLflow's `analytics_columns_from_metadata` computes
  /// them: counts must be whole numbers, costs finite numbers; anything else is NULL.
  ///
  /// - Throws: `.invalidArgument` for a session ID over 250 characters (MLflow refuses it too).
  init(metadata: [String: String]) throws(MLflowStoreError) {
    sessionID = metadata[TraceAnalytics.sessionKey]
    if let sessionID, sessionID.unicodeScalars.count > 250 {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "the trace session ID (metadata \(TraceAnalytics.sessionKey)) has \(sessionID.unicodeScalars.count) "
          + "characters; MLflow allows at most 250")
    }
    let usage = metadata[TraceAnalytics.tokenUsageKey].flatMap(JSONValue.parse)
    tokens = TraceAnalytics.tokenColumns.map { usage?[$0.key].flatMap(TraceAnalytics.tokenCount) }
    let cost = metadata[TraceAnalytics.costKey].flatMap(JSONValue.parse)
    costs = TraceAnalytics.costColumns.map { cost?[$0.key].flatMap(TraceAnalytics.finiteNumber) }
  }

  /// The values read from the columns.
  init(sessionID: String?, tokens: [Int64?], costs: [Double?]) {
    self.sessionID = sessionID
    self.tokens = tokens
    self.costs = costs
  }

  /// The metadata entries MLflow shows for these columns (`compatibility_metadata_from_columns`).
  var metadata: [String: String] {
    var metadata: [String: String] = [:]
    if let sessionID { metadata[TraceAnalytics.sessionKey] = sessionID }
    let usage = zip(TraceAnalytics.tokenColumns, tokens).compactMap { pair in
      pair.1.map { (key: pair.0.key, value: JSONValue.integer($0)) }
    }
    if !usage.isEmpty { metadata[TraceAnalytics.tokenUsageKey] = JSONValue.object(usage).pythonJSON }
    let cost = zip(TraceAnalytics.costColumns, costs).compactMap { pair in
      pair.1.map { (key: pair.0.key, value: JSONValue.double($0)) }
    }
    if !cost.isEmpty { metadata[TraceAnalytics.costKey] = JSONValue.object(cost).pythonJSON }
    return metadata
  }

  /// A whole number within SQLite's integer range, from a number or numeric string.
  private static func tokenCount(_ value: JSONValue) -> Int64? {
    switch value {
    case .integer(let count): return count
    case .double(let number): return number.isFinite ? Int64(exactly: number) : nil
    case .string(let text):
      if let count = Int64(text) { return count }
      return Double(text).flatMap { $0.isFinite ? Int64(exactly: $0) : nil }
    default: return nil
    }
  }

  /// A finite number, from a number or numeric string (not from a boolean).
  static func finiteNumber(_ value: JSONValue) -> Double? {
    let number: Double?
    switch value {
    case .integer(let count): number = Double(count)
    case .double(let value): number = value
    case .string(let text): number = Double(text.trimmingWhitespace())
    default: number = nil
    }
    return number.flatMap { $0.isFinite ? $0 : nil }
  }
}
