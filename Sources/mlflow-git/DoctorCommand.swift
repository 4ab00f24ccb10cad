import ChildProcess
import GitHooks
import GitState
import GitVersioning
import LocalFiles
import MLflowTracing
import MLflowStore

#if canImport(Glibc)
import Glibc
#endif

/// `mlflow-git doctor`: what is installed, which store, journal backlog, problems and fixes.
struct DoctorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    abstract: "Check the installation, the store and the journal.",
    discussion: """
      Checks this repository's mlflow-git setup and says how to fix what is wrong: the hooks
      (still run by git or its hook manager, and the executable they call), the tracking store and
      experiment, the `mlflow` executable that creates a missing mlflow.db, the journal backlog and
      the worker's log, and whether the local index still matches the store. Exit status 1 when a
      check failed.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [.flag("--json", \.json, help: "Print a JSON array of objects: check, ok, detail, fix.")]
  }

  var json = false

  struct Check {
    var name: String
    var ok: Bool
    var detail: String
    var fix: String?
  }

  func run() async -> ExitCode {
    var checks: [Check] = []
    checks.append(Check(name: "mlflow-git", ok: true, detail: InstallCommand.executablePath()))
    let repository: GitRepository
    do {
      repository = try GitRepository.discover()
      checks.append(Check(name: "repository", ok: true, detail: repository.workTree))
    } catch {
      checks.append(Check(name: "repository", ok: false, detail: error.description, fix: "run inside a Git work tree"))
      return Self.report(checks, json: json)
    }
    checks += Self.hookChecks(repository)
    checks += await Self.storeChecks(repository)
    checks += Self.journalChecks(repository)
    return Self.report(checks, json: json)
  }

  static func hookChecks(_ repository: GitRepository) -> [Check] {
    guard let status = HookPresence.status(commonDirectory: repository.commonDirectory, readingExecutablePath: true) else {
      return [Check(name: "hooks", ok: false, detail: "not installed", fix: "run `mlflow-git install`")]
    }
    let how =
      switch status.mode {
      case "forwarding": "git runs hooks from mlflow-git's forwarding folder, which runs the team's hooks by their own names"
      case "lefthook": "lefthook runs them (its `mlflow-git` command)"
      case "pre-commit-shared": "pre-commit runs them (`repo: local` hooks)"
      case "shared-lines": "the team's hook files run them"
      default: "installed"
      }
    var checks = [
      Check(
        name: "hooks", ok: status.problem == nil, detail: status.problem ?? "\(how), in \(status.hooksDirectory)",
        fix: status.problem == nil ? nil : "run `mlflow-git install` again (or ./install.sh)")
    ]
    if status.problem == nil {
      let present = status.executablePath.map { access($0, X_OK) == 0 } ?? false
      checks.append(
        Check(
          name: "hook executable", ok: present,
          detail: present ? status.executablePath ?? "" : "the hooks call \(status.executablePath ?? "?"), which is gone",
          fix: present ? nil : "run `mlflow-git install` again (or ./install.sh)"))
    }
    return checks
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
    let traceJournal = TraceJournal(stateDirectory: StateFolder(commonDirectory: repository.commonDirectory).path)
    let waitingTraces = traceJournal.count
    let counters = traceJournal.counters
    var detail = waitingTraces == 0 ? "nothing waiting" : "\(waitingTraces) traces wait for their store"
    detail += "; \(counters.spilled) spilled from a full queue, \(counters.dropped) dropped past the journal's bound"
    if let last = counters.lastDropped {
      var seconds = time_t(last / 1000)
      var parts = tm()
      var text = [UInt8](repeating: 0, count: 32)
      gmtime_r(&seconds, &parts)
      let length = text.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
          strftime($0, buffer.count, "%Y-%m-%d %H:%M:%S UTC", &parts)
        }
      }
      detail += " (the last at \(String(decoding: text.prefix(length), as: UTF8.self)))"
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

  static func report(_ checks: [Check], json: Bool) -> ExitCode {
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
