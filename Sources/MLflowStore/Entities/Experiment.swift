/// An MLflow experiment: the scope logged models and traces belong to.
///
/// Every MLflow store has the experiment `"0"`, named `Default`, created when the store is
/// first opened.
public struct Experiment: Sendable, Hashable {
  /// The experiment ID, a decimal integer as a string (`"0"` for `Default`).
  public var experimentID: String
  /// The unique name.
  public var name: String
  /// Where artifacts of this experiment's runs, models and traces go, e.g.
  /// `/src/app/mlruns/0`. Logged models get `<artifactLocation>/models/<model_id>/artifacts`.
  public var artifactLocation: String
  /// Active or deleted.
  public var lifecycleStage: LifecycleStage
  /// When it was created, in milliseconds since the Unix epoch.
  public var creationTime: Int64?
  /// When it last changed, in milliseconds since the Unix epoch.
  public var lastUpdateTime: Int64?

  /// Creates an experiment value from its fields (to create one in a store, use
  /// ``TrackingStore/createExperiment(named:)``).
  package init(
    experimentID: String,
    name: String,
    artifactLocation: String,
    lifecycleStage: LifecycleStage,
    creationTime: Int64?,
    lastUpdateTime: Int64?
  ) {
    self.experimentID = experimentID
    self.name = name
    self.artifactLocation = artifactLocation
    self.lifecycleStage = lifecycleStage
    self.creationTime = creationTime
    self.lastUpdateTime = lastUpdateTime
  }

  /// The ID of the experiment MLflow uses when none is chosen.
  package static let defaultExperimentID = "0"
  /// The name of experiment `"0"`.
  package static let defaultExperimentName = "Default"
}
