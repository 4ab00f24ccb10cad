import ChildProcess
import Foundation
import GitState
import LocalFiles
import MLflowStore
import RepositoryFixtures
import Synchronization
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration

/// Registrations that overlap: a worker's batch and an app start, two clones creating the same
/// version in the same millisecond, a registration killed between creating and finalizing.
@Suite("Registrations that overlap or were cut short")
struct RegistrationRaceTests {
  /// The active models on `server` in experiment 0.
  static func serverModels(_ server: MLflowServer) async throws -> [[String: Any]] {
    let answer = try await server.call(
      "/api/2.0/mlflow/logged-models/search", method: "POST", body: ["experiment_ids": ["0"], "max_results": 1000])
    return ((answer["models"] as? [[String: Any]]) ?? []).compactMap { $0["info"] as? [String: Any] }
  }

  @Test("an app start while a worker registers a batch on a slow server goes on within the bound, with a provisional ID")
  func startDuringSlowBatch() async throws {
    var prepared = try await VersioningFixture()
    defer { prepared.remove() }
    let server = try await MLflowServer.started(freshSQLiteIn: prepared.scratch.root + "/server")
    defer { server.stop() }
    // Every request to the server is held 100 ms: a version takes about half a second.
    let proxy = try SlowProxy(upstreamPort: server.port, delay: .milliseconds(100))
    prepared.environment["MLFLOW_TRACKING_URI"] = proxy.url
    let fixture = prepared
    var commits: [String] = []
    for index in 0..<12 {
      try fixture.git("commit", "-q", "--allow-empty", "-m", "batch \(index)")
      commits.append(try fixture.scratch.git(["-C", fixture.repo, "rev-parse", "HEAD"]))
    }
    let repository = try GitRepository.discover(from: fixture.repo, environment: fixture.environment)
    try JournalDelivery.journal(commits: commits, branch: "main", in: repository, environment: fixture.environment)

    let worker = Task { try await VersioningFixture.cli(["sync"], in: fixture.repo, environment: fixture.environment) }
    let index = VersionIndex(stateDirectory: Registration.stateDirectory(of: repository))
    while index.entries().count < 2 { try await Task.sleep(for: .milliseconds(20)) }

    try fixture.write("print('an edit no worker has seen')\n", to: "app.py")
    // Started at once (not through the test's limit on concurrent children, which may queue it).
    let clock = ContinuousClock()
    let launched = clock.now
    let start = try await ChildProcess.runAsync(
      "sh",
      arguments: [
        "-c", "cd \"$1\" && exec \"$2\" exec -- sh -c 'printf %s \"$MLFLOW_ACTIVE_MODEL_ID\"'", "start", fixture.repo,
        VersioningFixture.cliPath,
      ], environment: fixture.environment)
    let elapsed = clock.now - launched
    let registeredMeanwhile = index.entries().count
    #expect(start.succeeded, "\(start.standardErrorText)")
    #expect(registeredMeanwhile < commits.count, "the worker was still registering its batch")
    #expect(elapsed < .seconds(2), "the start waited \(elapsed): not for the worker's batch")
    let provisional = start.standardOutputText
    let kept = try #require(UndeliveredVersion.find(provisional, in: repository))
    #expect(kept.isProvisional && kept.isDirty)

    let batch = try await worker.value
    #expect(batch.output.succeeded, "\(batch.output.standardErrorText)")
    let sync = try await VersioningFixture.cli(["sync"], in: fixture.repo, environment: fixture.environment)
    #expect(sync.output.succeeded, "\(sync.output.standardErrorText)")
    let final = try #require(ModelIDMapping.finalID(for: provisional, in: repository))
    let models = try await Self.serverModels(server)
    #expect(models.filter { ($0["model_id"] as? String) == final }.count == 1)
    #expect(models.count == commits.count + 1, "each commit and the dirty state once")
  }

  // Timing-sensitive: it times how soon waiters give up, which other suites keeping the
  // cooperative pool busy would stretch.
  @Test("an app start never blocks a thread on the registration lock, and gives up after the bound", .tags(.timingSensitive))
  func boundedLockWait() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let path = scratch.root + "/register.lock"
    // Another process holds the lock for 5 s.
    let holder = Task {
      try await ChildProcess.runAsync("flock", arguments: [path, "sleep", "5"])
    }
    while (try FileLock.tryAcquire(at: path)).map({ $0.release() }) != nil {
      try await Task.sleep(for: .milliseconds(10))
    }
    // More waiters than the cooperative pool has threads: a blocking flock in one would starve the others.
    let clock = ContinuousClock()
    let started = clock.now
    let results = try await withThrowingTaskGroup(of: Bool.self) { group in
      for _ in 0..<(2 * ProcessInfo.processInfo.activeProcessorCount + 2) {
        group.addTask { try await FileLock.acquire(at: path, waitingAtMost: .milliseconds(50)) == nil }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    let elapsed = clock.now - started
    #expect(results.allSatisfy { $0 }, "the lock stayed taken, so every waiter gave up")
    #expect(elapsed < .seconds(1), "waiters gave up together after the bound, not one after another (\(elapsed))")
    _ = try await holder.value
    #expect(try await FileLock.acquire(at: path, waitingAtMost: .milliseconds(50)) != nil, "free again")
  }

  @Test("a model a killed registration left PENDING is finalized READY when its version is registered, not duplicated")
  func pendingModelFinalized() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let snapshot = try GitSnapshot.read(from: fixture.repo, environment: fixture.environment)
    let version = GitVersion(snapshot: snapshot)
    let tags = VersionTagging(options: fixture.options().settings, environment: fixture.environment).tags(for: version)
    // What a worker killed between create and finalize leaves behind.
    let left = try await fixture.store().createLoggedModel(
      experimentID: "0", name: version.displayName, tags: tags, params: [:], modelType: nil, sourceRunID: nil)
    #expect(left.status == LoggedModelStatus.pending)

    let resolution = try await fixture.resolve()
    #expect(resolution.modelID == left.modelID, "the model is reused")
    #expect(try await fixture.store().loggedModel(id: left.modelID).status == .ready)
    #expect(try await fixture.models().count == 1)
  }

  @Test("two clones creating the same versions at the same moment keep one model each time (20 rounds)")
  func sameMillisecondCreators() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let (clones, environment) = try fixture.clonesSharingTheStore(2)
    let rounds = 20
    var duplicated: [Int] = []
    var sameMillisecond = 0
    for round in 0..<rounds {
      for clone in clones { try fixture.scratch.write("print('round \(round)')\n", to: clone + "/app.py") }
      let ids = try await VersioningFixture.race(2, in: clones, environment: environment)
      let models = try await fixture.models().filter { $0.tags[VersionTagKey.dirty] == "true" }
        .filter { $0.tags[VersionTagKey.diff]?.contains("round \(round)'") == true }
      if models.count != 1 || Set(ids).count != 1 { duplicated.append(round) }
      // Deleted ones included: the loser of a race deletes its model.
      let name = try await fixture.store().loggedModel(id: ids[0]).name
      let created = try ChildProcess.run(
        "sqlite3",
        arguments: [
          fixture.databasePath,
          "SELECT COUNT(*), COUNT(DISTINCT creation_timestamp_ms) FROM logged_models WHERE name = '\(name)'",
        ]
      ).standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)
      if created == "2|1" { sameMillisecond += 1 }
    }
    #expect(duplicated.isEmpty, "rounds with two models or two answers: \(duplicated)")
    print("same-millisecond creations in \(sameMillisecond) of \(rounds) rounds")
  }

  @Test("two creators in one millisecond, the other still in its transaction when the first re-reads: both end on the same one model")
  func sameMillisecondInFlight() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let version = GitVersion(snapshot: try GitSnapshot.read(from: fixture.repo, environment: fixture.environment))
    let racer = try await RacingCreator(databasePath: fixture.databasePath)
    defer { racer.stop() }
    let raced = Mutex<(ours: LoggedModel, theirs: String)?>(nil)
    let store = InterposedStore(
      try fixture.store(),
      afterFinalize: { model in
        guard raced.withLock({ $0 == nil }) else { return }
        // Right after our model is finalized, the other creator, which read the clock in the same
        // millisecond, is inside its write transaction: its model is not visible yet.
        let theirs = try racer.startCreating(
          timestamp: model.creationTimestamp, experimentID: model.experimentID, tags: model.tags,
          artifactLocation: model.artifactLocation + "-racing", hold: 0.3)
        raced.withLock { $0 = (model, theirs) }
      })
    let tagging = VersionTagging(options: fixture.options().settings, environment: fixture.environment)
    let registry = VersionRegistry(store: store, experimentID: "0", tagging: tagging)
    let found = try await registry.findOrCreate(version)
    let (ours, theirs) = try #require(raced.withLock { $0 })
    let theyChose = try racer.chosen()

    #expect(theirs < ours.modelID, "theirs sorts first")
    #expect(try await fixture.store().loggedModel(id: theirs).creationTimestamp == ours.creationTimestamp, "the same millisecond")
    #expect(theyChose == theirs, "the other creator keeps the oldest: its own")
    #expect(found.model.modelID == theirs && !found.created, "so does the first: it saw the other's model before choosing")
    #expect(try await registry.matchingModels(of: version).map(\.modelID) == [theirs], "one model is left")
    #expect(try await fixture.store().loggedModel(id: ours.modelID, includeDeleted: true).lifecycleStage == .deleted)
  }

  @Test("a duplicate whose delete keeps failing is tried three times, recorded in mlflow-git/duplicates, and deleted by the next batch")
  func failedDeleteRetriedLater() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let repository = try GitRepository.discover(from: fixture.repo, environment: fixture.environment)
    let version = GitVersion(snapshot: try GitSnapshot.read(from: fixture.repo, environment: fixture.environment))
    let older = Mutex<String?>(nil)
    let real = try fixture.store()
    // Another creator's model of the same version commits between our search and our creation,
    // so we create ours, find theirs older and delete ours; the store refuses every delete.
    let store = InterposedStore(
      real,
      beforeCreate: { tags in
        guard older.withLock({ $0 == nil }) else { return }
        let theirs = try await real.createLoggedModel(experimentID: "0", name: "other-creator", tags: tags)
        older.withLock { $0 = theirs.modelID }
        try await Task.sleep(for: .milliseconds(2))
      },
      deleteFailure: MLflowStoreError(code: .databaseBusy, message: "the database stays locked"))
    let registrar = try await Registrar.open(
      repository: repository, trackingURI: .sqlite(path: fixture.databasePath), environment: fixture.environment,
      options: fixture.options().settings, store: store)
    let outcome = try #require(try await registrar.register([version]).first)
    let theirs = try #require(older.withLock { $0 })
    #expect(outcome.modelID == theirs && !outcome.created, "the older model is adopted")
    #expect(store.deleteAttempts == 3, "the delete was tried three times")
    let duplicates = DuplicateModels(stateDirectory: Registration.stateDirectory(of: repository))
    let waiting = duplicates.waiting(in: TrackingURI.sqlite(path: fixture.databasePath).description)
    try #require(waiting.count == 1, "the duplicate waits in mlflow-git/duplicates: \(waiting)")
    let ours = waiting[0]
    #expect(try await real.loggedModel(id: ours).lifecycleStage == .active)

    // The next batch, a worker's, with the store answering again.
    try fixture.git("commit", "-q", "--allow-empty", "-m", "next")
    let head = try fixture.scratch.git(["-C", fixture.repo, "rev-parse", "HEAD"])
    try JournalDelivery.journal(commits: [head], branch: "main", in: repository, environment: fixture.environment)
    let sync = try await VersioningFixture.cli(["sync"], in: fixture.repo, environment: fixture.environment)
    #expect(sync.output.succeeded, "\(sync.output.standardErrorText)")
    #expect(try await real.loggedModel(id: ours, includeDeleted: true).lifecycleStage == .deleted, "deleted by the next batch")
    #expect(duplicates.waiting(in: TrackingURI.sqlite(path: fixture.databasePath).description).isEmpty)
    let models = try await fixture.models()
    #expect(models.filter { $0.tags[VersionTagKey.commit] == version.commit }.map(\.modelID) == [theirs])
    #expect(models.contains { $0.tags[VersionTagKey.commit] == head }, "and registered its own version")
  }
}
