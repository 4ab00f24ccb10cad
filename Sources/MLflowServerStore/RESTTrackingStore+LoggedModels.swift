public import MLflowStore

extension RESTTrackingStore {
  public func createLoggedModel(
    experimentID: String,
    name: String?,
    tags: [String: String],
    params: [String: String],
    modelType: String?,
    sourceRunID: String?
  ) async throws(MLflowStoreError) -> LoggedModel {
    if let name { try EntityValidation.validate(modelName: name) }
    _ = try EntityValidation.experimentNumber(experimentID)
    var body: [(key: String, value: JSONValue)] = [("experiment_id", .string(experimentID))]
    if let name { body.append(("name", .string(name))) }
    if let modelType { body.append(("model_type", .string(modelType))) }
    if let sourceRunID { body.append(("source_run_id", .string(sourceRunID))) }
    if !params.isEmpty { body.append(("params", .keyValueList(params))) }
    if !tags.isEmpty { body.append(("tags", .keyValueList(tags))) }
    var request = RESTRequest("POST", "/api/2.0/mlflow/logged-models", action: "create a logged model")
    request.body = .object(body)
    request.idempotent = false
    request.notFound = .experimentNotFound
    let answer = try await client.send(request)
    guard let model = LoggedModelJSON.model(in: answer) else { throw Self.malformed(request.action, "no model") }
    return model
  }

  public func loggedModel(id: String, includeDeleted: Bool) async throws(MLflowStoreError) -> LoggedModel {
    do throws(MLflowStoreError) {
      return try await getLoggedModel(id: id, allowDeleted: false, lifecycleStage: .active)
    } catch where error.code == .modelNotFound && includeDeleted {
      // MLflow's REST form has no lifecycle stage: found only when deleted ones are allowed
      // means deleted.
      return try await getLoggedModel(id: id, allowDeleted: true, lifecycleStage: .deleted)
    }
  }

  private func getLoggedModel(
    id: String, allowDeleted: Bool, lifecycleStage: LifecycleStage
  ) async throws(MLflowStoreError) -> LoggedModel {
    var request = RESTRequest("GET", Self.modelPath(id), action: "get logged model '\(id)'")
    if allowDeleted { request.query = [("allow_deleted", "true")] }
    request.notFound = .modelNotFound
    let answer = try await client.send(request)
    guard let model = LoggedModelJSON.model(in: answer, lifecycleStage: lifecycleStage) else {
      throw Self.malformed(request.action, "no model")
    }
    return model
  }

  public func searchLoggedModels(_ search: LoggedModelSearch) async throws(MLflowStoreError) -> LoggedModelPage {
    guard search.maxResults >= 1 else {
      throw MLflowStoreError(
        code: .invalidArgument, message: "maxResults is \(search.maxResults); ask for at least 1 model")
    }
    for id in search.experimentIDs { _ = try EntityValidation.experimentNumber(id) }
    let fingerprint = Self.fingerprint(of: search)
    let cursor = try SearchCursor(token: search.pageToken, search: fingerprint)
    guard !search.experimentIDs.isEmpty else { return LoggedModelPage(models: [], nextPageToken: nil) }
    // The clauses MLflow's filter grammar can express, in a stable order (the selective key
    // first); the others are matched only here.
    let ordered = search.tags.sorted { lhs, rhs in
      (lhs.key == search.selectiveTagKey ? 0 : 1, lhs.key) < (rhs.key == search.selectiveTagKey ? 0 : 1, rhs.key)
    }
    var expressible: [(key: String, value: String)] = []
    for pair in ordered where (try? MLflowFilter.tagsEqual([pair])) != nil { expressible.append(pair) }
    let filter = try MLflowFilter.tagsEqual(expressible)
    let complete = expressible.count == search.tags.count
    let (models, next) = try await cursor.collect(
      count: search.maxResults,
      pageSize: complete ? search.maxResults : max(search.maxResults, 100),
      fetch: { (token, size) throws(MLflowStoreError) in
        try await self.searchPage(search, filter: filter, pageToken: token, pageSize: size)
      },
      matches: { model in search.tags.allSatisfy { model.tags[$0.key] == $0.value } })
    return LoggedModelPage(models: models, nextPageToken: next?.token(search: fingerprint))
  }

  private func searchPage(
    _ search: LoggedModelSearch, filter: String, pageToken: String?, pageSize: Int
  ) async throws(MLflowStoreError) -> (items: [LoggedModel], next: String?) {
    var body: [(key: String, value: JSONValue)] = [
      ("experiment_ids", .array(search.experimentIDs.map { .string($0) }))
    ]
    if !filter.isEmpty { body.append(("filter", .string(filter))) }
    body.append(("max_results", .integer(Int64(pageSize))))
    if !search.orderBy.isEmpty {
      body.append(("order_by", .array(search.orderBy.map { order in
        .object([("field_name", .string(order.field.rawValue)), ("ascending", .bool(order.ascending))])
      })))
    }
    if let pageToken { body.append(("page_token", .string(pageToken))) }
    var request = RESTRequest("POST", "/api/2.0/mlflow/logged-models/search", action: "search logged models")
    request.body = .object(body)
    request.notFound = .experimentNotFound
    let answer = try await client.send(request)
    return ((answer["models"]?.elements ?? []).compactMap { LoggedModelJSON.model(from: $0) }, answer["next_page_token"]?.nonEmptyString)
  }

  public func setLoggedModelTags(id: String, tags: [String: String]) async throws(MLflowStoreError) {
    var request = RESTRequest("PATCH", Self.modelPath(id) + "/tags", action: "set tags of logged model '\(id)'")
    request.body = .object([("tags", .keyValueList(tags))])
    request.notFound = .modelNotFound
    _ = try await client.send(request)
  }

  public func deleteLoggedModelTag(id: String, key: String) async throws(MLflowStoreError) {
    var request = RESTRequest(
      "DELETE", Self.modelPath(id) + "/tags/" + RESTRequest.encode(key),
      action: "delete tag '\(key)' of logged model '\(id)'")
    request.notFound = .modelNotFound
    do throws(MLflowStoreError) {
      _ = try await client.send(request)
    } catch where error.code == .modelNotFound && error.message.contains("No tag with key") {
      throw MLflowStoreError(code: .tagNotFound, message: "logged model '\(id)' has no tag '\(key)'; nothing was deleted")
    }
  }

  public func finalizeLoggedModel(id: String, status: LoggedModelStatus) async throws(MLflowStoreError) -> LoggedModel {
    guard status == .ready || status == .failed else {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "a logged model can only be finalized as READY or FAILED, not \(status)")
    }
    var request = RESTRequest("PATCH", Self.modelPath(id), action: "finalize logged model '\(id)'")
    request.body = .object([("model_id", .string(id)), ("status", .string(status.restName))])
    request.notFound = .modelNotFound
    let answer = try await client.send(request)
    guard let model = LoggedModelJSON.model(in: answer) else { throw Self.malformed(request.action, "no model") }
    return model
  }

  public func deleteLoggedModel(id: String) async throws(MLflowStoreError) {
    var request = RESTRequest("DELETE", Self.modelPath(id), action: "delete logged model '\(id)'")
    request.notFound = .modelNotFound
    _ = try await client.send(request)
  }

  static func modelPath(_ id: String) -> String {
    "/api/2.0/mlflow/logged-models/" + RESTRequest.encode(id)
  }

  /// What a page token of `search` must match: everything but the page size and token.
  private static func fingerprint(of search: LoggedModelSearch) -> JSONValue {
    .object([
      ("experiment_ids", .array(search.experimentIDs.map { .string($0) })),
      ("tags", .stringObject(search.tags)),
      ("order_by", .array(search.orderBy.map { .object([("field_name", .string($0.field.rawValue)), ("ascending", .bool($0.ascending))]) })),
    ])
  }
}
