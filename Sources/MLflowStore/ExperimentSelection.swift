#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Chooses the experiment the way Python MLflow does when nothing was set with
/// `mlflow.set_experiment`: `MLFLOW_EXPERIMENT_NAME`, then `MLFLOW_EXPERIMENT_ID`, then the
/// default experiment `"0"`.
///
/// With the same environment, Python MLflow and mlflow-git pick the same experiment, so each
/// finds the other's models.
///
/// # Usage
/// ```swift
/// let experiment = try await ExperimentSelection.resolve(in: store)
/// print(experiment.experimentID, experiment.name)   // 0 Default
/// ```
public enum ExperimentSelection {
  /// The variable naming the experiment; created when missing.
  public static let nameVariable = "MLFLOW_EXPERIMENT_NAME"
  /// The variable giving the experiment ID; it must exist.
  public static let idVariable = "MLFLOW_EXPERIMENT_ID"

  /// The experiment the environment selects.
  ///
  /// - `MLFLOW_EXPERIMENT_NAME` set: the experiment of that name (active or deleted); when
  ///   `MLFLOW_EXPERIMENT_ID` is also set and differs from its ID, an error. When no experiment
  ///   has the name, it is created (as Python does, whatever `MLFLOW_EXPERIMENT_ID` says).
  /// - else `MLFLOW_EXPERIMENT_ID` set: that experiment, which must exist.
  /// - else the default experiment `"0"`.
  ///
  /// Empty values count as unset for the ID, as in Python; an empty name is an error.
  ///
  /// - Parameters:
  ///   - store: Where to look the experiment up (and create it).
  ///   - environment: The variables to read; by default this process's environment.
  /// - Throws: `.invalidConfiguration` naming the variable and its value.
  public static func resolve(
    in store: some TrackingStore,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) async throws(MLflowStoreError) -> Experiment {
    let requestedID = environment[idVariable].flatMap { $0.isEmpty ? nil : $0 }
    if let name = environment[nameVariable] {
      guard !name.isEmpty else {
        throw MLflowStoreError(
          code: .invalidConfiguration,
          message: "\(nameVariable) is set but empty; set it to an experiment name or unset it")
      }
      if let experiment = try await store.experiment(named: name) {
        if let requestedID, requestedID != experiment.experimentID {
          throw MLflowStoreError(
            code: .invalidConfiguration,
            message: "\(idVariable) is '\(requestedID)' but \(nameVariable) '\(name)' is experiment "
              + "'\(experiment.experimentID)'; unset one of them or make them agree")
        }
        return experiment
      }
      do throws(MLflowStoreError) {
        return try await store.createExperiment(named: name)
      } catch let error where error.code == .alreadyExists {
        // Another process created it between the lookup and the insert.
        if let experiment = try await store.experiment(named: name) { return experiment }
        throw error
      } catch {
        throw MLflowStoreError(
          code: error.code == .invalidArgument ? .invalidConfiguration : error.code,
          message: "\(nameVariable) '\(name)' names no experiment and it could not be created: \(error.message)")
      }
    }
    if let requestedID {
      do throws(MLflowStoreError) {
        return try await store.experiment(id: requestedID)
      } catch let error where error.code == .experimentNotFound || error.code == .invalidArgument {
        throw MLflowStoreError(
          code: .invalidConfiguration,
          message: "\(idVariable) is '\(requestedID)', but the tracking store has no such experiment; "
            + "set it to an existing experiment ID, or use \(nameVariable) to create one by name")
      }
    }
    return try await store.experiment(id: Experiment.defaultExperimentID)
  }
}
