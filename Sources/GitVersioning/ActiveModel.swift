import MLflowStore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The version traces are linked to: a LoggedModel in a tracking store and experiment.
public struct ActiveModel: Sendable, Hashable {
  /// The LoggedModel's ID (`m-` and 32 hex digits); traces carry it as `mlflow.modelId`.
  public var modelID: String
  /// Where the model lives, e.g. `sqlite:////src/app/mlflow.db`, without credentials.
  public var trackingURI: String
  /// The experiment the model belongs to, or `nil` while it is not known (see
  /// ``experimentName``).
  public var experimentID: String?
  /// The experiment's name when its ID is not known yet: the version waits undelivered under an
  /// experiment selected by name (`MLFLOW_EXPERIMENT_NAME`), which delivery looks up or creates.
  public var experimentName: String?

  /// A model in `trackingURI`'s experiment `experimentID`, or, while that ID is not known, in the
  /// experiment named `experimentName` (ignored when `experimentID` is given).
  public init(modelID: String, trackingURI: String, experimentID: String?, experimentName: String? = nil) {
    self.modelID = modelID
    self.trackingURI = trackingURI
    self.experimentID = experimentID
    self.experimentName = experimentID == nil ? experimentName : nil
  }

  /// The variables that make an MLflow app in a child process (Python, TypeScript, …) link its
  /// traces to this model: `MLFLOW_ACTIVE_MODEL_ID`, `MLFLOW_TRACKING_URI` and, when known,
  /// `MLFLOW_EXPERIMENT_ID` (else `MLFLOW_EXPERIMENT_NAME` when it is known by name only). ``trackingURI`` has no credentials; when this process's
  /// `MLFLOW_TRACKING_URI` names the same store, the child gets that value, credentials and all.
  public var environment: [String: String] {
    var uri = trackingURI
    if let current = getenv(TrackingURI.environmentVariable).map({ String(cString: $0) }),
      let parsed = try? TrackingURI(parsing: current, relativeTo: "/", settingName: TrackingURI.environmentVariable),
      parsed.description == trackingURI
    {
      uri = current
    }
    var variables = ["MLFLOW_ACTIVE_MODEL_ID": modelID, "MLFLOW_TRACKING_URI": uri]
    if let experimentID {
      variables["MLFLOW_EXPERIMENT_ID"] = experimentID
    } else if let experimentName {
      variables["MLFLOW_EXPERIMENT_NAME"] = experimentName
    }
    return variables
  }

  /// The active model of the current task: the innermost ``withGitModelVersioning`` scope,
  /// else the process-wide one set by ``enableGitModelVersioning(remoteName:options:)``, else
  /// `MLFLOW_ACTIVE_MODEL_ID` (then `_MLFLOW_ACTIVE_MODEL_ID`) from the environment, as Python
  /// MLflow reads it.
  public static var current: ActiveModel? {
    if let context = GitVersioningContext.current { return context.activeModel }
    return fromEnvironment
  }

  /// The active model the environment names, for a task with no versioning context:
  /// `MLFLOW_ACTIVE_MODEL_ID` (then `_MLFLOW_ACTIVE_MODEL_ID`), as Python MLflow reads it.
  package static var fromEnvironment: ActiveModel? {
    for variable in ["MLFLOW_ACTIVE_MODEL_ID", "_MLFLOW_ACTIVE_MODEL_ID"] {
      if let value = getenv(variable).map({ String(cString: $0) }), !value.isEmpty {
        let uri = getenv("MLFLOW_TRACKING_URI").map { TrackingURI.redacted(String(cString: $0)) } ?? ""
        let experiment = getenv("MLFLOW_EXPERIMENT_ID").map { String(cString: $0) }
        return ActiveModel(modelID: value, trackingURI: uri, experimentID: experiment)
      }
    }
    return nil
  }
}

/// Where the active versioning context lives: a task-local scope for ``withGitModelVersioning``
/// and one process-wide value for the plain call.
enum ActiveState {
  enum Scope: Sendable {
    /// No scope in this task: fall back to the process-wide context.
    case inherit
    /// A ``withGitModelVersioning`` scope set this context.
    case set(GitVersioningContext)
  }

  @TaskLocal static var scoped: Scope = .inherit
  static let global = Mutex<GitVersioningContext?>(nil)
}
