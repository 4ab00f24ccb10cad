import ChildProcess
import GitHooks
import GitState
import GitVersioning
import MLflowTracing
import MLflowStore

#if canImport(Glibc)
import Glibc
#endif

/// `mlflow-git doctor`: what is installed, which store, journal backlog, problems and fixes.
enum DoctorCommand {
  static let help = """
    usage: mlflow-git doctor [--json]

    Checks this repository's mlflow-git setup and says how to fix what is wrong: the hooks (and
    the hooks they chain), the tracking store and experiment, the `mlflow` executable that
    creates a missing mlflow.db, the journal backlog and the worker's log, and whether the local
    index still matches the store. Exit code 1 when a check failed.
    """

  struct Check {
    var name: String
    var ok: Bool
    var detail: String
    var fix: String?
  }

  static func run(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(arguments, command: "doctor", help: help, flags: ["--json"])
    guard let parsed else { return code }
    var checks: [Check] = []
    checks.append(Check(name: "mlflow-git", ok: true, detail: InstallCommand.executablePath()))
    let repository: GitRepository
    do {
      repository = try GitRepository.discover()
      checks.append(Check(name: "repository", ok: true, detail: repository.workTree))
    } catch {
      checks.append(Check(name: "repository", ok: false, detail: error.description, fix: "run inside a Git work tree"))
      return report(checks, json: parsed.json)
    }
    checks += hookChecks(repository)
    checks += await storeChecks(repository)
    checks += journalChecks(repository)
    return report(checks, json: parsed.json)
  }

  static func hookChecks(_ repository: GitRepository) -> [Check] {
    do {
      return try HookInstallation.states(in: repository).map { event, state in
        switch state {
        case .installed(let executable, let chained):
          let present = executable.map { access($0, X_OK) == 0 } ?? false
          return Check(
            name: "hook \(event)", ok: present,
            detail: (present ? "installed" : "installed, but its mlflow-git (\(executable ?? "?")) is gone")
              + (chained ? ", chaining your previous hook" : ""),
            fix: present ? nil : "run `mlflow-git install` again (or ./install.sh)")
        case .foreign:
          return Check(
            name: "hook \(event)", ok: false, detail: "another hook is installed, not mlflow-git's",
            fix: "run `mlflow-git install`: it keeps that hook and runs it first")
        case .missing:
          return Check(name: "hook \(event)", ok: false, detail: "not installed", fix: "run `mlflow-git install`")
        }
      }
    } catch {
      return [Check(name: "hooks", ok: false, detail: error.description, fix: nil)]
    }
  }

  static func storeChecks(_ repository: GitRepository) async -> [Check] {
    var checks: [Check] = []
    let opened: RepositoryStore
    do {
      opened = try await RepositoryStore.open(options: .init(directory: repository.workTree))
      checks.append(
        Check(
          name: "store", ok: true,
          detail: "\(opened.trackingURI), experiment \(opened.experiment.experimentID) (\(opened.experiment.name))"))
    } catch {
      let mlflow = ChildProcess.resolve(getenv("MLFLOW_GIT_MLFLOW_EXECUTABLE").map { String(cString: $0) } ?? "mlflow")
      checks.append(
        Check(
          name: "store", ok: false, detail: error.description,
          fix: mlflow == nil
            ? "install MLflow (`pip install mlflow`) or set MLFLOW_GIT_MLFLOW_EXECUTABLE; versions keep their model "
              + "IDs undelivered meanwhile and `mlflow-git sync` delivers them"
            : "fix the store named above, then run `mlflow-git sync`"))
      return checks
    }
    var stale = 0
    let undelivered = Set(UndeliveredVersion.all(in: repository).map(\.modelID))
    let entries = VersionIndexReport.entries(of: repository, store: opened.trackingURI.description)
      .filter { !undelivered.contains($0) }
    for modelID in entries {
      if (try? await opened.store.loggedModel(id: modelID)) == nil { stale += 1 }
    }
    checks.append(
      Check(
        name: "index", ok: stale == 0, detail: "\(entries.count) versions indexed, \(stale) no longer in the store",
        fix: stale == 0 ? nil : "they are re-registered on their next use; `mlflow-git status` heals the current one"))
    return checks
  }

  static func journalChecks(_ repository: GitRepository) -> [Check] {
    let pending = JournalDelivery.pending(in: repository)
    var checks = [
      Check(
        name: "journal", ok: pending.isEmpty,
        detail: pending.isEmpty ? "nothing waiting" : "\(pending.count) journaled states not delivered yet",
        fix: pending.isEmpty ? nil : "run `mlflow-git sync` (it says why delivery fails, if it does)"),
    ]
    let undelivered = UndeliveredVersion.all(in: repository)
    let provisional = undelivered.filter(\.isProvisional).count
    checks.append(
      Check(
        name: "undelivered", ok: undelivered.isEmpty,
        detail: undelivered.isEmpty
          ? "none"
          : "\(undelivered.count) versions have their model IDs but are not in their store yet"
            + (provisional > 0 ? " (\(provisional) with provisional IDs)" : ""),
        fix: undelivered.isEmpty ? nil : "create the store (`mlflow ui` or `mlflow db upgrade`) or bring the server back, "
          + "then `mlflow-git sync`"))
    let traceJournal = TraceJournal(stateDirectory: repository.commonDirectory + "/mlflow-git")
    let waitingTraces = traceJournal.count
    let counters = traceJournal.counters
    var detail = waitingTraces == 0 ? "nothing waiting" : "\(waitingTraces) traces wait for their store"
    detail += "; \(counters.spilled) spilled from a full queue, \(counters.dropped) dropped past the journal's bound"
    if let last = counters.lastDropped {
      var seconds = time_t(last / 1000)
      var parts = tm()
      var text = [CChar](repeating: 0, count: 32)
      gmtime_r(&seconds, &parts)
      strftime(&text, text.count, "%Y-%m-%d %H:%M:%S UTC", &parts)
      detail += " (the last at \(String(cString: text)))"
    }
    var fixes: [String] = []
    if waitingTraces > 0 { fixes.append("run `mlflow-git sync` once the store is reachable") }
    if counters.dropped > 0 {
      fixes.append("traces were lost: deliver the journal more often (`mlflow-git sync`) or raise MLFLOW_GIT_TRACE_JOURNAL_MB")
    }
    checks.append(
      Check(
        name: "trace journal", ok: waitingTraces == 0 && counters.dropped == 0, detail: detail,
        fix: fixes.isEmpty ? nil : fixes.joined(separator: "; ")))
    if let log = VersionIndexReport.workerLogTail(of: repository, lines: 3), !log.isEmpty {
      checks.append(Check(name: "worker log", ok: true, detail: log.joined(separator: "\n    ")))
    }
    return checks
  }

  static func report(_ checks: [Check], json: Bool) -> Int32 {
    if json {
      print(
        JSONValue.array(
          checks.map { check in
            JSONValue.object([
              ("check", .string(check.name)), ("ok", .bool(check.ok)), ("detail", .string(check.detail)),
              ("fix", check.fix.map(JSONValue.string) ?? .null),
            ])
          }
        ).pythonJSON)
    } else {
      for check in checks {
        print("\(check.ok ? "ok " : "!! ") \(check.name): \(check.detail)")
        if let fix = check.fix { print("     fix: \(fix)") }
      }
    }
    return checks.allSatisfy(\.ok) ? 0 : 1
  }
}
