import GitVersioning
import LocalFiles
import MLflowStore
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a trace goes and what it is linked to, fixed when its root span starts: the active
/// version's store, experiment and model, or — with no active version — the store MLflow would
/// use (`MLFLOW_TRACKING_URI`, else `sqlite:///mlflow.db` in the working directory), unlinked.
struct TraceDestination: Sendable, Hashable {
  /// The tracking store, e.g. `sqlite:////src/app/mlflow.db`.
  var trackingURI: String
  /// The experiment, when known; otherwise the exporter resolves it: by ``experimentName``
  /// when the version names one, else from the environment (`MLFLOW_EXPERIMENT_NAME`/`_ID`,
  /// else the default experiment).
  var experimentID: String?
  /// The experiment's name when the active version was selected by name and its ID is not
  /// known yet (it waits undelivered); kept with a journaled trace, so whatever environment
  /// delivers the trace, it goes to the version's experiment.
  var experimentName: String? = nil
  /// The version the trace is linked to (`mlflow.modelId`), if any.
  var modelID: String?
  /// mlflow-git's state folder of the active version's repository (`<git common dir>/mlflow-git`),
  /// where its undelivered versions and provisional → final IDs are kept.
  var stateDirectory: String?
  /// Where traces wait when the store cannot take them: the repository's
  /// `<git common dir>/mlflow-git/traces`, else `~/.local/state/mlflow-git/traces`.
  var journalDirectory: String
  /// MLflow's source metadata for every trace: user, source name and type, and the Git state.
  var sourceMetadata: [String: String]

  /// The destination for a trace that starts now in the current task.
  static func current() -> TraceDestination {
    let process = ProcessDefaults.shared
    // The context is read once and the model taken from it: read apart, a background delivery
    // that swaps the process-wide context (provisional → final ID) between the two reads would
    // give a provisional model without its state folder, and its traces would go out linked to
    // an ID the store never has.
    let context = GitVersioningContext.current
    guard let model = context.map({ $0.activeModel }) ?? ActiveModel.fromEnvironment else { return process.unlinked }
    var metadata = process.unlinked.sourceMetadata
    metadata[TraceInfo.modelIDKey] = model.modelID
    var journalDirectory = process.unlinked.journalDirectory
    var stateDirectory: String?
    if let context {
      if let info = context.info {
        metadata["mlflow.source.git.branch"] = info.branch
        metadata["mlflow.source.git.commit"] = info.commit
        metadata["mlflow.source.git.repoURL"] = info.repoURL ?? ""
      }
      if let directory = context.stateDirectory {
        stateDirectory = directory
        journalDirectory = TraceJournal(stateDirectory: directory).directory
      }
    }
    return TraceDestination(
      trackingURI: model.trackingURI.isEmpty ? process.unlinked.trackingURI : model.trackingURI,
      experimentID: model.experimentID, experimentName: model.experimentName, modelID: model.modelID,
      stateDirectory: stateDirectory,
      journalDirectory: journalDirectory, sourceMetadata: metadata)
  }
}

/// What does not change during a process: the fallback store, the user, the program name.
/// Read once, so starting a trace does not copy the environment.
struct ProcessDefaults: Sendable {
  static let shared = ProcessDefaults(environment: ProcessInfo.processInfo.environment)

  /// The destination of traces started with no active version.
  let unlinked: TraceDestination
  /// The process environment, for experiment selection and store settings.
  let environment: [String: String]

  init(environment: [String: String]) {
    self.environment = environment
    let workingDirectory = FileManager.default.currentDirectoryPath
    let trackingURI =
      (try? TrackingURI.resolve(environment: environment, defaultDirectory: workingDirectory))?.description
      ?? TrackingURI.redacted(environment[TrackingURI.environmentVariable] ?? "sqlite:///mlflow.db")
    var metadata = [
      TraceInfo.schemaVersionKey: "3",
      "mlflow.source.type": "LOCAL",
      "mlflow.source.name": SourceMetadata.programName(),
    ]
    if let user = SourceMetadata.userName(environment) { metadata["mlflow.user"] = user }
    unlinked = TraceDestination(
      trackingURI: trackingURI,
      experimentID: environment[ExperimentSelection.idVariable].flatMap { $0.isEmpty ? nil : $0 },
      modelID: nil, stateDirectory: nil,
      journalDirectory: StateFolder.user(environment: environment).traces,
      sourceMetadata: metadata)
  }
}
