import MLflowStore

/// MLflow's REST form of a logged model (`{"info": {…}, "data": {"params": […]}}`).
enum LoggedModelJSON {
  /// The model in a `{"model": …}` answer.
  ///
  /// - Parameter lifecycleStage: What the caller knows of it; MLflow's REST form has no
  ///   lifecycle stage.
  static func model(in answer: JSONValue, lifecycleStage: LifecycleStage = .active) -> LoggedModel? {
    answer["model"].flatMap { model(from: $0, lifecycleStage: lifecycleStage) }
  }

  /// The model a `LoggedModel` message describes, or `nil` when it has no ID.
  static func model(from json: JSONValue, lifecycleStage: LifecycleStage = .active) -> LoggedModel? {
    guard let info = json["info"], let modelID = info["model_id"]?.nonEmptyString else { return nil }
    return LoggedModel(
      modelID: modelID,
      experimentID: info["experiment_id"]?.stringValue ?? "",
      name: info["name"]?.stringValue ?? "",
      artifactLocation: info["artifact_uri"]?.stringValue ?? "",
      creationTimestamp: info["creation_timestamp_ms"]?.int64Value ?? 0,
      lastUpdatedTimestamp: info["last_updated_timestamp_ms"]?.int64Value ?? 0,
      status: status(info["status"]),
      lifecycleStage: lifecycleStage,
      modelType: info["model_type"]?.nonEmptyString,
      sourceRunID: info["source_run_id"]?.nonEmptyString,
      statusMessage: info["status_message"]?.nonEmptyString,
      tags: info["tags"]?.keyValuePairs ?? [:],
      params: json["data"]?["params"]?.keyValuePairs ?? [:])
  }

  /// A status written as its REST name (`LOGGED_MODEL_READY`) or its number.
  private static func status(_ json: JSONValue?) -> LoggedModelStatus {
    if let number = json?.int64Value { return LoggedModelStatus(rawValue: Int(number)) }
    let name = json?.stringValue ?? ""
    return [LoggedModelStatus.pending, .ready, .failed].first { $0.restName == name } ?? .unspecified
  }
}
