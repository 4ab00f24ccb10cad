import GitState
import GitVersioning
import MLflowStore

/// `mlflow-git versions`: this repository's versions, newest first.
enum VersionsCommand {
  static let help = """
    usage: mlflow-git versions [--json] [--limit N] [--remote NAME]

    Lists this repository's versions (the LoggedModels whose repoURL is this repository's
    remote), newest first: branch, commit, dirty, model ID, traces count, status. Versions the
    hooks journaled but have not delivered yet (store down or not created) are listed first as
    pending.

    --json   a JSON array of objects: modelID, name, branch, commit, dirty, status,
             creationTimestamp, traces, pending
    """

  static func run(_ arguments: [String]) async -> Int32 {
    let (parsed, code) = parse(
      arguments, command: "versions", help: help, flags: ["--json"], options: ["--limit", "--remote"])
    guard let parsed else { return code }
    guard let limit = Int(parsed.options["--limit"] ?? "200"), limit > 0 else {
      printError("versions: --limit takes a positive number")
      return 2
    }
    let pending = (try? GitRepository.discover()).map(JournalDelivery.pending) ?? []
    var listings: [VersionListing] = []
    var storeProblem: (any Error)?
    do {
      let opened = try await RepositoryStore.open(options: .init())
      listings = try await VersionCatalog.list(opened, remoteName: parsed.options["--remote"] ?? "origin", limit: limit)
    } catch {
      storeProblem = error
    }
    if let storeProblem, pending.isEmpty {
      printError("\(storeProblem)")
      return 1
    }
    if parsed.json {
      let items = pending.map { entry in
        JSONValue.object([
          ("modelID", .null), ("name", .null), ("branch", entry.branch.map(JSONValue.string) ?? .null),
          ("commit", entry.commit.map(JSONValue.string) ?? .null),
          ("dirty", .bool(false)), ("status", .string("PENDING_DELIVERY")), ("creationTimestamp", .null),
          ("traces", .int(0)), ("pending", .bool(true)),
        ])
      } + listings.map { listing in
        JSONValue.object([
          ("modelID", .string(listing.modelID)), ("name", .string(listing.name)), ("branch", .string(listing.branch)),
          ("commit", .string(listing.commit)), ("dirty", .bool(listing.isDirty)),
          ("status", .string(listing.status.description)), ("creationTimestamp", .int(Int(listing.creationTimestamp))),
          ("traces", .int(listing.traceCount)), ("pending", .bool(false)),
        ])
      }
      print(JSONValue.array(items).pythonJSON)
    } else {
      printPending(pending)
      if listings.isEmpty && pending.isEmpty {
        print("no versions yet: commit with the hooks installed, or run `mlflow-git status`")
      }
      for listing in listings {
        let dirty = listing.isDirty ? " dirty" : ""
        print(
          "\(listing.commit.prefix(12))  \(listing.branch)\(dirty)  \(listing.modelID)  \(listing.traceCount) traces  "
            + "\(listing.name)  \(listing.status)")
      }
    }
    if let storeProblem {
      printError("the store is not available, so only journaled versions are shown: \(storeProblem)")
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
}
