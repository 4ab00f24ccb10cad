import Foundation
@testable import VersionRegistration
import TestSupport

@testable import GitVersioning

/// What the stores hold after the chaos, read by Python MLflow, and what it should hold.
struct ChaosOracle {
  let repository: ChaosRepository
  /// Every active model of each store (`search_logged_models`).
  let models: [ChaosRepository.Store: [ReferenceMLflow.StoredModel]]
  /// Every trace of each store: its ID and the model it is linked to (`search_traces`).
  let traces: [ChaosRepository.Store: [(traceID: String, modelID: String?)]]

  static func read(_ repository: ChaosRepository) async throws -> ChaosOracle {
    var models: [ChaosRepository.Store: [ReferenceMLflow.StoredModel]] = [:]
    var traces: [ChaosRepository.Store: [(traceID: String, modelID: String?)]] = [:]
    for store in [ChaosRepository.Store.server, .database] {
      let uri = repository.trackingURI(store)
      models[store] = try await ReferenceMLflow.loggedModels(trackingURI: uri)
      let code = """
        import json
        from mlflow import MlflowClient
        from mlflow.entities import ViewType
        client = MlflowClient()
        ids = [e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL, max_results=50000)]
        traces = []
        token = None
        while True:
            page = client.search_traces(experiment_ids=ids, max_results=500, page_token=token, include_spans=False)
            traces += [[t.info.trace_id, t.info.trace_metadata.get("mlflow.modelId")] for t in page]
            token = page.token
            if not token:
                break
        print(json.dumps(traces))
        """
      let rows = try await ReferenceMLflow.runJSON(code, environment: ReferenceMLflow.environment(trackingURI: uri))
      traces[store] = ((rows as? [[Any]]) ?? []).map { ($0[0] as? String ?? "", $0[1] as? String) }
    }
    return ChaosOracle(repository: repository, models: models, traces: traces)
  }

  /// The models of a clean version (branch, commit) in a worktree's store and experiment.
  func models(of worktree: ChaosRepository.Worktree, branch: String, commit: String) -> [ReferenceMLflow.StoredModel] {
    (models[worktree.store] ?? []).filter {
      $0.experimentName == worktree.experiment && $0.branch == branch && $0.commit == commit
        && $0.tags["mlflow.source.git.dirty"] == "false"
    }
  }

  /// Every (branch, commit) a branch's reflog holds, with the worktree whose shell owns the branch.
  func reflogVersions() throws -> [(worktree: ChaosRepository.Worktree, commit: String)] {
    try repository.worktrees.flatMap { worktree in try repository.reflog(worktree.branch).map { (worktree, $0) } }
  }

  /// Groups of models that stand for the same version in the same store and experiment.
  var duplicateGroups: [[ReferenceMLflow.StoredModel]] {
    models.values.flatMap { models in
      Dictionary(grouping: models) { model in
        [
          model.experimentName, model.branch ?? "", model.commit ?? "", model.tags["mlflow.source.git.dirty"] ?? "",
          model.tags["mlflow_git.diff.sha256"] ?? "",
        ]
      }.values.filter { $0.count > 1 }
    }
  }

  var pendingModels: [ReferenceMLflow.StoredModel] { models.values.flatMap { $0 }.filter { $0.status != "READY" } }

  /// The lines of the workers' log (`worker.log.1`, `worker.log`), without their timestamps.
  var workerLog: [Substring] {
    ["worker.log.1", "worker.log"].compactMap {
      try? String(contentsOfFile: repository.stateDirectory + "/" + $0, encoding: .utf8)
    }.joined().split(separator: "\n").map { $0.drop { $0 != " " }.dropFirst() }
  }

  /// What the workers logged during the chaos: the most frequent kinds of line (their first
  /// six words, numbers left out), with their counts.
  var workerLogSummary: String {
    let kinds = Dictionary(grouping: workerLog) { line in
      line.split(separator: " ").filter { $0.first?.isNumber != true }.prefix(6).joined(separator: " ")
    }
    let frequent = kinds.sorted { $0.value.count > $1.value.count }.prefix(6)
    return frequent.isEmpty ? "nothing" : frequent.map { "\($0.value.count) × \($0.key)…" }.joined(separator: "; ")
  }

  /// What became of each line of the hooks' journal: delivered (its version is in the store and
  /// experiment its line names), skipped for a reason `worker.log` states, or unaccounted for.
  func journalAccount() throws -> (lines: Int, malformed: Int, delivered: Int, skipped: Int, unaccounted: [String]) {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: repository.stateDirectory + "/journal")))
    let log = workerLog.filter { $0.contains("skipped") }
    var account = (lines: 0, malformed: 0, delivered: 0, skipped: 0, unaccounted: [String]())
    for line in bytes.split(separator: UInt8(ascii: "\n")) {
      account.lines += 1
      guard let entry = Journal.parse(line), let branch = entry.branch, let commit = entry.commit,
        let worktree = repository.worktrees.first(where: { $0.branch == branch })
      else {
        account.malformed += 1
        account.unaccounted.append(String(decoding: line.prefix(200), as: UTF8.self))
        continue
      }
      let store: ChaosRepository.Store? = entry.target?.trackingURI.map {
        $0 == repository.server.url ? .server : $0 == repository.trackingURI(.database) ? .database : nil
      } ?? nil
      let experiment = entry.target?.experimentName ?? "Default"
      let stored = (models[store ?? worktree.store] ?? []).contains {
        $0.experimentName == experiment && $0.branch == branch && $0.commit == commit && $0.status == "READY"
      }
      if store != nil, stored {
        account.delivered += 1
      } else if log.contains(where: { $0.contains(String(commit.prefix(7))) }) {
        account.skipped += 1
      } else {
        account.unaccounted.append("\(entry.event) \(branch) \(commit.prefix(7)) → \(entry.target?.trackingURI ?? "-")")
      }
    }
    return account
  }
}
