/// An MLflow logged model: what MLflow's UI calls an "agent version" and what git-based
/// versioning records one of per (experiment, branch, commit, dirty, repository URL).
///
/// Mirrors Python's `mlflow.entities.LoggedModel` and the `logged_models` row with its tags and
/// params. Metrics are not read.
///
/// # Usage
/// ```swift
/// let store = try SQLiteTrackingStore(databasePath: databasePath)
/// let model = try await store.createLoggedModel(
///   experimentID: "0",
///   name: "main-917a4c6",
///   tags: ["mlflow.source.git.branch": "main", "mlflow.source.git.commit": commit])
/// print(model.modelID, model.status)   // m-4f0c…  PENDING
/// ```
public struct LoggedModel: Sendable, Hashable {
  /// `m-` followed by 32 lowercase hex digits (a UUID4 without dashes).
  public var modelID: String
  /// The experiment the model belongs to.
  public var experimentID: String
  /// The display name (MLflow's UI lists models by it).
  public var name: String
  /// `<experiment artifact location>/models/<model_id>/artifacts`; the directory is not created.
  public var artifactLocation: String
  /// When it was created, in milliseconds since the Unix epoch.
  public var creationTimestamp: Int64
  /// When it was last finalized or deleted, in milliseconds since the Unix epoch. Setting tags
  /// does not change it (as in MLflow).
  public var lastUpdatedTimestamp: Int64
  /// Pending, ready or failed.
  public var status: LoggedModelStatus
  /// Active, or soft-deleted.
  public var lifecycleStage: LifecycleStage
  /// A free-form type such as `agent`; `nil` when not given.
  public var modelType: String?
  /// The run that produced the model, if any.
  public var sourceRunID: String?
  /// A message explaining the status, if any.
  public var statusMessage: String?
  /// The model's tags, e.g. `mlflow.source.git.commit`.
  public var tags: [String: String]
  /// The model's parameters.
  public var params: [String: String]

  /// Creates a model value from its fields (to create a model in a store, use
  /// ``TrackingStore/createLoggedModel(experimentID:name:tags:params:modelType:sourceRunID:)``).
  package init(
    modelID: String,
    experimentID: String,
    name: String,
    artifactLocation: String,
    creationTimestamp: Int64,
    lastUpdatedTimestamp: Int64,
    status: LoggedModelStatus,
    lifecycleStage: LifecycleStage,
    modelType: String? = nil,
    sourceRunID: String? = nil,
    statusMessage: String? = nil,
    tags: [String: String] = [:],
    params: [String: String] = [:]
  ) {
    self.modelID = modelID
    self.experimentID = experimentID
    self.name = name
    self.artifactLocation = artifactLocation
    self.creationTimestamp = creationTimestamp
    self.lastUpdatedTimestamp = lastUpdatedTimestamp
    self.status = status
    self.lifecycleStage = lifecycleStage
    self.modelType = modelType
    self.sourceRunID = sourceRunID
    self.statusMessage = statusMessage
    self.tags = tags
    self.params = params
  }
}
