import GitHooks
import GitState
import GitVersioning
import MLflowStore
import VersionComparison

/// `mlflow-git versions`: this repository's versions, newest first.
struct VersionsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "versions",
    abstract: "List this repository's versions, newest first.",
    discussion: """
      Lists this repository's versions (the LoggedModels whose repoURL is this repository's
      remote), newest first: branch, commit, dirty, model ID, traces count, status.

      Versions not in the store yet are listed too: journaled states the worker has not reached
      (first, no model ID yet), and undelivered versions, which have their model ID and wait in
      .git/mlflow-git until the store exists (no mlflow.db and no `mlflow` to create it) or
      answers (a tracking server down; there the ID is provisional).

      When a hook manager has removed mlflow-git's hooks since install, says so in one line on
      standard error.
      """)

  static var arguments: [ArgumentDefinition<Self>] {
    [
      .flag(
        "--json", \.json,
        help: """
          Print a JSON array of objects: modelID, name, branch, commit, dirty, status,
          creationTimestamp, traces, pending (not in the store yet), undelivered (has its model ID
          but is not in the store yet), provisional (the store will give the model another ID at
          delivery); with --stats also stats: traces, errors, errorRate, latencyP50Ms,
          totalTokensPerTrace (null when not in the store).
          """),
      .flag(
        "--stats", \.stats,
        help: """
          Show what each version's traces did: traces, error rate, latency p50, total tokens per
          trace (as `mlflow-git compare` counts them).
          """),
      .option("--limit", \.limit, valueName: "n", help: "List at most this many versions from the store."),
      .option("--remote", \.remote, valueName: "name", help: "The Git remote whose URL identifies this repository."),
    ]
  }

  var json = false
  var stats = false
  var limit = 200
  var remote = "origin"

  func validate() throws(ValidationError) {
    guard limit > 0 else { throw ValidationError("--limit takes a positive number, not \(limit)") }
  }

  func run() async -> ExitCode {
    let repository = try? GitRepository.discover()
    if let repository, let notice = HookPresence.notice(commonDirectory: repository.commonDirectory) {
      printError("warning: " + notice)
    }
    let pending = repository.map(JournalDelivery.pending) ?? []
    let undelivered = repository.map { VersionCatalog.undelivered(in: $0, options: .init()) } ?? []
    var stored: [VersionListing] = []
    var statistics: [String: TraceGroupStatistics] = [:]
    var storeProblem: (any Error)?
    do {
      let opened = try await RepositoryStore.open(options: .init())
      stored = try await VersionCatalog.list(opened, remoteName: remote, limit: limit)
      if stats { statistics = try await Self.statistics(of: stored, in: opened) }
    } catch {
      storeProblem = error
    }
    if let storeProblem, pending.isEmpty && undelivered.isEmpty {
      printError("\(storeProblem)")
      return 1
    }
    // A version whose delivery was interrupted after its model was created is listed once.
    let storedIDs = Set(stored.map(\.modelID))
    let listings = Array(
      (stored + undelivered.filter { !storedIDs.contains($0.modelID) })
        .sorted { ($0.creationTimestamp, $1.modelID) > ($1.creationTimestamp, $0.modelID) }.prefix(limit))
    if json {
      let items = pending.map { entry in
        JSONValue.object([
          ("modelID", .null), ("name", .null), ("branch", entry.branch.map(JSONValue.string) ?? .null),
          ("commit", entry.commit.map(JSONValue.string) ?? .null),
          ("dirty", .bool(false)), ("status", .string("PENDING_DELIVERY")), ("creationTimestamp", .null),
          ("traces", .int(0)), ("pending", .bool(true)), ("undelivered", .bool(false)), ("provisional", .bool(false)),
        ] + (stats ? [("stats", .null)] : []))
      } + listings.map { listing in
        JSONValue.object([
          ("modelID", .string(listing.modelID)), ("name", .string(listing.name)), ("branch", .string(listing.branch)),
          ("commit", .string(listing.commit)), ("dirty", .bool(listing.isDirty)),
          ("status", .string(listing.isDelivered ? listing.status.description : "UNDELIVERED")),
          ("creationTimestamp", .int(Int(listing.creationTimestamp))), ("traces", .int(listing.traceCount)),
          ("pending", .bool(!listing.isDelivered)), ("undelivered", .bool(!listing.isDelivered)),
          ("provisional", .bool(listing.isProvisional)),
        ] + (stats ? [("stats", statistics[listing.modelID].map(Self.json) ?? .null)] : []))
      }
      print(JSONValue.array(items).pythonJSON)
    } else {
      Self.printPending(pending)
      if listings.isEmpty && pending.isEmpty {
        print("no versions yet: commit with the hooks installed, or run `mlflow-git status`")
      }
      for listing in listings {
        let dirty = listing.isDirty ? " dirty" : ""
        let status = listing.isDelivered
          ? "\(listing.status)"
          : "UNDELIVERED (not in the store yet\(listing.isProvisional ? "; provisional ID" : ""))"
        let traces = statistics[listing.modelID].map(Self.text) ?? "\(listing.traceCount) traces"
        print(
          "\(listing.commit.prefix(12))  \(listing.branch)\(dirty)  \(listing.modelID)  \(traces)  "
            + "\(listing.name)  \(status)")
      }
    }
    if let storeProblem {
      if case .store(let error)? = (storeProblem as? RegistrationError)?.source, error.code == .storeNotCreated {
        // A fresh machine: every version is local, so the list is complete.
        printError("no MLflow database yet, so versions wait undelivered with their IDs: \(storeProblem)")
        return 0
      }
      printError("the store is not available, so only versions not in it yet are shown: \(storeProblem)")
      return 1
    }
    return 0
  }

  static func printPending(_ pending: [PendingVersion]) {
    for entry in pending {
      print(
        "\((entry.commit ?? "?").prefix(12))  \(entry.branch ?? "(detached)")  "
          + "(journaled, not yet in the store: run `mlflow-git sync`)")
    }
  }

  /// The statistics of every delivered version's traces, by model ID.
  static func statistics(of listings: [VersionListing], in opened: RepositoryStore) async throws
    -> [String: TraceGroupStatistics]
  {
    guard let source = opened.store as? any TraceStatisticsStore else { return [:] }
    let delivered = listings.filter(\.isDelivered)
    let statistics = try await source.traceStatistics(
      delivered.map { TraceStatisticsQuery(experimentID: opened.experiment.experimentID, modelID: $0.modelID) })
    return Dictionary(zip(delivered.map(\.modelID), statistics.map(\.all)), uniquingKeysWith: { first, _ in first })
  }

  /// `120 traces, 2.5% errors, p50 812 ms, 412 tokens/trace` (`—` for what a version lacks).
  static func text(_ statistics: TraceGroupStatistics) -> String {
    "\(statistics.traces) traces, \(FigureFormat.value(statistics.errorRate, unit: .ratio)) errors, "
      + "p50 \(FigureFormat.value(statistics.latency.percentile(50), unit: .milliseconds)), "
      + "\(FigureFormat.value(statistics.tokens.total.mean, unit: .tokens)) tokens/trace"
  }

  static func json(_ statistics: TraceGroupStatistics) -> JSONValue {
    .object([
      ("traces", .int(statistics.traces)), ("errors", .int(statistics.errors)),
      ("errorRate", statistics.errorRate.map(JSONValue.double) ?? .null),
      ("latencyP50Ms", statistics.latency.percentile(50).map(JSONValue.double) ?? .null),
      ("totalTokensPerTrace", statistics.tokens.total.mean.map(JSONValue.double) ?? .null),
    ])
  }
}
