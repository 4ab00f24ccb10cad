import FoundationEssentials
public import MLflowStore

/// A ``TrackingStore`` on an MLflow tracking server, through MLflow's REST API: for teams
/// sharing one server, and for backends that scale (PostgreSQL, MySQL) behind it.
///
/// It speaks the API as MLflow 3.17's Python client does — the same endpoints, JSON fields,
/// credentials, timeout and retries — so Python MLflow, the UI and this store see each other's
/// models and traces. The server assigns model IDs and names.
///
/// **Retries.** Reads, searches and updates are retried on a refused connection, a timeout,
/// and HTTP 408, 429, 500, 502, 503 and 504, with MLflow's backoff and `Retry-After`.
/// Creations (models, experiments) are retried only when the server cannot have processed
/// them (a refused connection, 408, 429), so a lost answer never makes a duplicate. A TLS
/// failure is not retried: its error names the variable that fixes it.
///
/// **HTTPS.** As MLflow's Python client: the system's CAs, or only the CA bundle in
/// `MLFLOW_TRACKING_SERVER_CERT_PATH`, or no verification with `MLFLOW_TRACKING_INSECURE_TLS`;
/// a client certificate from `MLFLOW_TRACKING_CLIENT_CERT_PATH`. Requests go through libcurl
/// (the HTTPClient module), loaded on the first request.
///
/// **Searches.** Tag values are sent in MLflow's filter string when it can express them; a
/// value it cannot quote (one with `'`) is left out of the filter and matched here instead.
/// Results are always checked to match exactly. Page tokens are this store's own: they carry
/// the server's token and refuse to continue a different search.
///
/// **Traces.** ``logTrace(_:)`` sends the spans by OTLP/HTTP to `/v1/traces` and the trace
/// info with `StartTraceV3`, which links the trace to its model (`mlflow.modelId`); both are
/// safe to repeat. Span attributes come back as Python writes JSON (`{"q": "hi"}`).
///
/// # Usage
/// ```swift
/// let store = try RESTTrackingStore(serverURL: serverURL, environment: ProcessInfo.processInfo.environment)
/// let experiment = try await ExperimentSelection.resolve(in: store)
/// let found = try await store.searchLoggedModels(
///   LoggedModelSearch(experimentIDs: [experiment.experimentID], tags: gitTags, maxResults: 1))
/// var model = found.models.first
/// if model == nil {
///   model = try await store.createLoggedModel(experimentID: experiment.experimentID, name: nil, tags: gitTags)
/// }
/// ```
public final class RESTTrackingStore: TrackingStore {
  /// The server's base URL, without credentials.
  public let serverURL: String
  let client: RESTClient

  /// A store on the server at `serverURL`.
  ///
  /// - Parameters:
  ///   - serverURL: `http://…` or `https://…`, optionally with `user:password@` (used as Basic
  ///     credentials, never shown).
  ///   - configuration: Credentials, TLS, timeout and retries.
  /// - Throws: `.invalidConfiguration` for a URL that is not a server's.
  public init(serverURL: String, configuration: Configuration = Configuration()) throws(MLflowStoreError) {
    let server = try ServerURL(parsing: serverURL)
    self.serverURL = server.base
    client = RESTClient(server: server, configuration: configuration)
  }

  /// A store on the server at `serverURL`, configured from MLflow's environment variables
  /// (see ``Configuration/init(environment:)``).
  public convenience init(serverURL: String, environment: [String: String]) throws(MLflowStoreError) {
    try self.init(serverURL: serverURL, configuration: Configuration(environment: environment))
  }

  public func experiment(id: String) async throws(MLflowStoreError) -> Experiment {
    _ = try EntityValidation.experimentNumber(id)
    var request = RESTRequest("GET", "/api/2.0/mlflow/experiments/get", action: "get experiment '\(id)'")
    request.query = [("experiment_id", id)]
    request.notFound = .experimentNotFound
    return try experiment(in: try await client.send(request), action: request.action)
  }

  public func experiment(named name: String) async throws(MLflowStoreError) -> Experiment? {
    var request = RESTRequest(
      "GET", "/api/2.0/mlflow/experiments/get-by-name", action: "look up experiment '\(name)'")
    request.query = [("experiment_name", name)]
    request.notFound = .experimentNotFound
    do throws(MLflowStoreError) {
      return try experiment(in: try await client.send(request), action: request.action)
    } catch where error.code == .experimentNotFound {
      return nil
    }
  }

  public func createExperiment(named name: String) async throws(MLflowStoreError) -> Experiment {
    try EntityValidation.validate(experimentName: name)
    var request = RESTRequest("POST", "/api/2.0/mlflow/experiments/create", action: "create experiment '\(name)'")
    request.body = .object([("name", .string(name))])
    request.idempotent = false
    let answer = try await client.send(request)
    guard let id = answer["experiment_id"]?.nonEmptyString else {
      throw Self.malformed(request.action, "no experiment_id")
    }
    return try await experiment(id: id)
  }

  private func experiment(in answer: JSONValue, action: String) throws(MLflowStoreError) -> Experiment {
    guard let json = answer["experiment"], let id = json["experiment_id"]?.nonEmptyString else {
      throw Self.malformed(action, "no experiment")
    }
    return Experiment(
      experimentID: id,
      name: json["name"]?.stringValue ?? "",
      artifactLocation: json["artifact_location"]?.stringValue ?? "",
      lifecycleStage: LifecycleStage(rawValue: json["lifecycle_stage"]?.nonEmptyString ?? LifecycleStage.active.rawValue),
      creationTime: json["creation_time"]?.int64Value,
      lastUpdateTime: json["last_update_time"]?.int64Value)
  }

  /// The error for a successful answer that lacks what the call returns.
  static func malformed(_ action: String, _ missing: String) -> MLflowStoreError {
    MLflowStoreError(
      code: .unexpectedResponse,
      message: "could not \(action): the server's answer has \(missing); is the tracking URI an MLflow 3 server?")
  }
}
