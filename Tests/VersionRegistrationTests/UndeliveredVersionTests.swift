import ChildProcess
import Foundation
import GitState
import MLflowStore
import RepositoryFixtures
import Synchronization
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration

/// A fresh machine: no `mlflow.db`, no `mlflow` to create it, or a tracking server down.
/// Versions get their IDs at once, are kept undelivered, and reach the store later, exactly
/// once — with the same ID in `mlflow.db`, mapped to the server's ID on a tracking server.
@Suite("Versions before the store exists")
struct UndeliveredVersionTests {
  @Test("no mlflow.db and no mlflow: final IDs at once, used by the runtime, delivered unchanged once mlflow.db exists")
  func embeddedStoreLater() async throws {
    let fixture = try await VersioningFixture(freshMachine: true)
    defer { fixture.remove() }
    var options = fixture.options()
    options.maxDiffTagBytes = 300
    let clean = try await VersionResolution.resolve(options: options)
    #expect(!clean.isDelivered && !clean.isProvisional && clean.created)
    // The runtime (task-scoped here: other suites own the process-wide context).
    let context = await withGitModelVersioning(options: options) { $0 }
    #expect(context.activeModel?.modelID == clean.modelID, "the runtime returns the undelivered version's ID")
    #expect(context.activeModel?.experimentID == "0")
    #expect(context.foundInIndex)
    // A dirty state whose diff is longer than the tag: the complete diff is kept too.
    try fixture.write(String(repeating: "print('a long line of changes')\n", count: 40), to: "app.py")
    let dirty = try await VersionResolution.resolve(options: options)
    #expect(!dirty.isDelivered && dirty.modelID != clean.modelID)
    #expect(!FileManager.default.fileExists(atPath: fixture.databasePath), "no database is invented")

    let state = fixture.repo + "/.git/mlflow-git/undelivered"
    #expect((try FileManager.default.attributesOfItem(atPath: state)[.posixPermissions] as? Int) == 0o700)
    for name in try FileManager.default.contentsOfDirectory(atPath: state) {
      #expect((try FileManager.default.attributesOfItem(atPath: state + "/" + name)[.posixPermissions] as? Int) == 0o600)
    }
    let recorded = try #require(UndeliveredVersion.find(dirty.modelID, in: dirty.repository))
    #expect(recorded.tags[VersionTagKey.diffTruncated] == "true")
    #expect(recorded.completeDiff(in: dirty.repository) == dirty.version.diff)
    #expect(ModelIDMapping.status(of: dirty.modelID, in: dirty.repository) == .undelivered(provisional: false))

    // `mlflow db upgrade` (or `mlflow ui`) creates the database; the next delivery fills it.
    try await MLflowDatabaseTemplate.copy(to: fixture.databasePath)
    let report = await JournalDelivery.deliver(from: dirty.repository, options: options.settings)
    // (The runtime's background delivery may have raced it to some of them.)
    #expect(report.problem == nil && report.undelivered == 0)
    for resolution in [clean, dirty] {
      let model = try await fixture.store().loggedModel(id: resolution.modelID)
      #expect(model.status == .ready)
      #expect(model.name == resolution.version.displayName)
      #expect(model.tags[VersionTagKey.commit] == resolution.version.commit)
    }
    let dirtyModel = try await fixture.store().loggedModel(id: dirty.modelID)
    #expect(dirtyModel.tags == recorded.tags, "the model has exactly the tags recorded when its ID was given")
    #expect(dirtyModel.creationTimestamp == recorded.creationTimestamp)
    let artifact = dirtyModel.artifactLocation + "/" + VersionTags.diffArtifactName
    #expect(FileManager.default.contents(atPath: artifact).map(Array.init) == dirty.version.diff)

    let python = try await fixture.python(
      """
      import mlflow
      ids = \(pythonLiteral(clean.modelID)), \(pythonLiteral(dirty.modelID))
      models = [mlflow.get_logged_model(i) for i in ids]
      print(json.dumps([{"id": m.model_id, "status": str(m.status), "tags": dict(m.tags)} for m in models]))
      """) as? [[String: Any]]
    #expect(python?.compactMap { $0["id"] as? String } == [clean.modelID, dirty.modelID])
    #expect(python?.allSatisfy { $0["status"] as? String == "READY" } == true)
    #expect((python?.last?["tags"] as? [String: String]) == recorded.tags)

    let again = await JournalDelivery.deliver(from: dirty.repository, options: options.settings)
    #expect(again.created == 0 && again.problem == nil)
    #expect(try await fixture.models().count == 2, "delivering again adds nothing")
    let now = try await VersionResolution.resolve(options: options)
    #expect(now.modelID == dirty.modelID && now.isDelivered)
  }

  @Test("a delivery that died after creating the model: the next one finds it under the ID and adds nothing")
  func interruptedDelivery() async throws {
    let fixture = try await VersioningFixture(freshMachine: true)
    defer { fixture.remove() }
    let kept = try await fixture.resolve()
    let recorded = try #require(UndeliveredVersion.find(kept.modelID, in: kept.repository))
    try await MLflowDatabaseTemplate.copy(to: fixture.databasePath)
    // What a delivery killed between the insert and the removal of the record leaves behind.
    _ = try await fixture.store().createLoggedModel(
      id: kept.modelID, experimentID: "0", name: recorded.name, tags: recorded.tags)
    let report = await JournalDelivery.deliver(from: kept.repository, options: fixture.options().settings)
    #expect(report.problem == nil && report.created == 0 && report.undelivered == 0)
    let models = try await fixture.models()
    #expect(models.map(\.modelID) == [kept.modelID])
    #expect(models.first?.status == .ready, "the interrupted model is finalized")
  }

  @Test("an app start delivers the undelivered versions in the background once mlflow.db exists")
  func appStartDelivers() async throws {
    let fixture = try await VersioningFixture(freshMachine: true)
    defer { fixture.remove() }
    let kept = try await fixture.resolve()
    try await MLflowDatabaseTemplate.copy(to: fixture.databasePath)
    let context = await withGitModelVersioning(options: fixture.options()) { $0 }
    #expect(context.activeModel?.modelID == kept.modelID)
    var delivered: LoggedModel?
    for _ in 0..<400 where delivered == nil {
      delivered = try? await fixture.store().loggedModel(id: kept.modelID)
      if delivered == nil { try await Task.sleep(for: .milliseconds(50)) }
    }
    #expect(delivered?.status == .ready, "the start delivered the version with its ID")
    #expect(UndeliveredVersion.all(in: kept.repository).isEmpty)
  }

  @Test("Python made a model of the same state before delivery: ours is still created under its handed-out ID")
  func pythonCameFirst() async throws {
    let fixture = try await VersioningFixture(freshMachine: true)
    defer { fixture.remove() }
    let ours = try await fixture.resolve()
    try await MLflowDatabaseTemplate.copy(to: fixture.databasePath)
    let python = try await fixture.python(
      """
      import mlflow
      context = mlflow.genai.enable_git_model_versioning()
      print(json.dumps({"id": context.active_model.model_id}))
      """) as? [String: Any]
    let pythonID = try #require(python?["id"] as? String)
    #expect(pythonID != ours.modelID)
    _ = await JournalDelivery.deliver(from: ours.repository, options: fixture.options().settings)
    #expect(Set(try await fixture.models().map(\.modelID)) == [ours.modelID, pythonID], "neither is deleted")
    #expect(try await fixture.resolve().modelID == ours.modelID, "the ID handed out stays the version's")
  }

  @Test(
    "a registration killed before it indexed its model, then mlflow.db away: the kept version is delivered under its ID and the model left behind (PENDING, or READY with no trace) is deleted; one a trace is linked to, in the store or in the trace journal, is kept",
    arguments: ["PENDING", "READY", "READY with a trace", "READY with a journaled trace"])
  func abandonedModel(left: String) async throws {
    let fixture = try await VersioningFixture(freshMachine: true)
    defer { fixture.remove() }
    try await MLflowDatabaseTemplate.copy(to: fixture.databasePath)
    let version = GitVersion(snapshot: try GitSnapshot.read(from: fixture.repo, environment: fixture.environment))
    let tags = VersionTagging(options: fixture.options().settings, environment: fixture.environment).tags(for: version)
    // What a worker killed between create and finalize, or between finalize and the index,
    // leaves behind (found by the chaos test).
    var abandoned = try await fixture.store().createLoggedModel(
      experimentID: "0", name: version.displayName, tags: tags, params: [:], modelType: nil, sourceRunID: nil)
    if left != "PENDING" { abandoned = try await fixture.store().finalizeLoggedModel(id: abandoned.modelID, status: .ready) }
    if left == "READY with a trace" {
      // Its ID was handed out after all (to another clone sharing the database, say).
      _ = try await fixture.python(
        """
        import mlflow
        mlflow.set_active_model(model_id=\(pythonLiteral(abandoned.modelID)))
        with mlflow.start_span("call"):
            pass
        mlflow.flush_trace_async_logging()
        print(json.dumps({"ok": True}))
        """)
      let linked = try await fixture.store().searchTraces(experimentIDs: ["0"], modelID: abandoned.modelID)
      #expect(linked.traces.count == 1)
    }
    if left == "READY with a journaled trace" {
      // Handed out and used by a trace that waits in the trace journal for its store: only the
      // journal knows. (The check searches the journal's files for the ID's bytes, whatever
      // their layout.)
      let journal = fixture.repo + "/.git/mlflow-git/traces"
      try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: true)
      try Data(#"{"modelID":"\#(abandoned.modelID)"}"#.utf8).write(to: URL(fileURLWithPath: journal + "/waiting.json"))
    }
    // The database away (a volume gone) before anyone registers the version again.
    try FileManager.default.moveItem(atPath: fixture.databasePath, toPath: fixture.databasePath + ".away")
    let kept = try await fixture.resolve()
    #expect(!kept.isDelivered && !kept.isProvisional && kept.modelID != abandoned.modelID)
    try FileManager.default.moveItem(atPath: fixture.databasePath + ".away", toPath: fixture.databasePath)

    let report = await JournalDelivery.deliver(from: kept.repository, options: fixture.options().settings)
    #expect(report.problem == nil && report.undelivered == 0)
    let models = try await fixture.models()
    if left.hasPrefix("READY with a") {
      #expect(Set(models.map(\.modelID)) == [kept.modelID, abandoned.modelID], "neither is deleted")
    } else {
      #expect(models.map(\.modelID) == [kept.modelID], "one model: the ID handed out")
    }
    #expect(models.allSatisfy { $0.status == .ready })
    #expect(try await fixture.resolve().modelID == kept.modelID)
  }

  @Test("16 processes starting at once on a fresh machine: one undelivered ID, all report it")
  func sixteenProcessesWithoutStore() async throws {
    let fixture = try await VersioningFixture(freshMachine: true)
    defer { fixture.remove() }
    let ids = try await VersioningFixture.race(16, in: [fixture.repo], environment: fixture.environment)
    #expect(ids.count == 16)
    #expect(Set(ids).count == 1)
    let records = try FileManager.default.contentsOfDirectory(atPath: fixture.repo + "/.git/mlflow-git/undelivered")
    #expect(records == [ids[0] + ".json"])
  }

  @Test("a tracking server down: a provisional ID; once it is up, delivery maps it to the server's ID")
  func serverDownThenUp() async throws {
    var fixture = try await VersioningFixture(freshMachine: true)
    defer { fixture.remove() }
    let server = try await fixture.pointAtServerDown()
    defer { server.stop() }
    let provisional = try await fixture.resolve()
    #expect(!provisional.isDelivered && provisional.isProvisional)
    #expect(await withGitModelVersioning(options: fixture.options()) { $0 }.activeModel?.modelID == provisional.modelID)
    #expect(ModelIDMapping.finalID(for: provisional.modelID, in: provisional.repository) == nil)
    #expect(ModelIDMapping.status(of: provisional.modelID, in: provisional.repository) == .undelivered(provisional: true))

    try await server.start()
    let report = await JournalDelivery.deliver(from: provisional.repository, options: fixture.options().settings)
    #expect(report.problem == nil && report.undelivered == 0, "\(server.log.suffix(2000))")
    let final = try #require(ModelIDMapping.finalID(for: provisional.modelID, in: provisional.repository))
    #expect(final != provisional.modelID)
    #expect(ModelIDMapping.status(of: provisional.modelID, in: provisional.repository) == .mapped(to: final))
    #expect(ModelIDMapping.status(of: final, in: provisional.repository) == .final)

    let after = try await fixture.resolve()
    #expect(after.modelID == final && after.isDelivered && after.foundInIndex)
    #expect(await withGitModelVersioning(options: fixture.options()) { $0 }.activeModel?.modelID == final)
    let python = try await fixture.python(
      """
      import mlflow
      m = mlflow.get_logged_model(\(pythonLiteral(final)))
      print(json.dumps({"status": str(m.status), "tags": dict(m.tags)}))
      """, trackingURI: server.url) as? [String: Any]
    #expect(python?["status"] as? String == "READY")
    #expect((python?["tags"] as? [String: String])?[VersionTagKey.commit] == provisional.version.commit)
    _ = await JournalDelivery.deliver(from: provisional.repository, options: fixture.options().settings)
    let count = try await fixture.python(
      "import mlflow\nprint(json.dumps({'n': len(mlflow.search_logged_models(output_format='list'))}))",
      trackingURI: server.url) as? [String: Int]
    #expect(count?["n"] == 1, "delivering again adds nothing")
    await server.stop()  // without holding a cooperative thread; the defer is for a throw
  }

  @Test("a provisional ID looked up while another process delivers it is never taken for final")
  func provisionalLookedUpDuringDelivery() async throws {
    var fixture = try await VersioningFixture(freshMachine: true)
    defer { fixture.remove() }
    let server = try await fixture.pointAtServerDown()
    defer { server.stop() }
    var provisional: [String] = []
    for edit in 0..<8 {
      try fixture.write("def app():\n    return \"edit \(edit)\"\n", to: "app.py")
      let resolution = try await fixture.resolve()
      #expect(resolution.isProvisional)
      provisional.append(resolution.modelID)
    }
    let stateDirectory = fixture.repo + "/.git/mlflow-git"
    // A repository that has delivered many provisional versions before: reading its mappings
    // takes a while, which is when a delivery by another process can slip in.
    let earlier = (0..<20_000).map { _ in
      "v1\t\(Identifiers.newModelID())\t\(Identifiers.newModelID())\t\(server.url)\n"
    }
    #expect(FileManager.default.createFile(
      atPath: stateDirectory + "/model-ids", contents: Data(earlier.joined().utf8),
      attributes: [.posixPermissions: 0o600]))
    let deliveryOrder = UndeliveredVersions(stateDirectory: stateDirectory).all().map(\.modelID)
    #expect(Set(deliveryOrder) == Set(provisional))

    try await server.start()
    // While the versions are delivered, the one being delivered is looked up again and again,
    // as the trace exporter of an app holding its provisional ID does.
    final class Flag: Sendable { let isSet = Atomic<Bool>(true) }
    let delivering = Flag()
    let lookups: Task<[String: [ModelIDMapping.Status]], Never> = Task.detached {
      var seen: [String: [ModelIDMapping.Status]] = [:]
      var next = 0
      while next < deliveryOrder.count {
        let modelID = deliveryOrder[next]
        let status = ModelIDMapping.status(of: modelID, stateDirectory: stateDirectory)
        if seen[modelID]?.last != status { seen[modelID, default: []].append(status) }
        // Suspends between lookups: a loop that never does holds one of the few cooperative
        // threads (two here), and with another test blocking one the delivery it waits for
        // could never run.
        await Task.yield()
        if case .undelivered = status, delivering.isSet.load(ordering: .relaxed) { continue }
        next += 1
      }
      return seen
    }
    let outcome = await UndeliveredDelivery.deliver(in: try GitRepository.discover(from: fixture.repo), options: fixture.options().settings)
    delivering.isSet.store(false, ordering: .relaxed)
    let seen = await lookups.value
    #expect(outcome.problem == nil && outcome.delivered == provisional.count, "\(server.log.suffix(2000))")
    #expect(seen.values.contains { $0.first == .undelivered(provisional: true) }, "the lookups overlapped the delivery")
    let mappings = ModelIDMapping.mappings(stateDirectory: stateDirectory)
    for modelID in deliveryOrder {
      let final = try #require(mappings[modelID])
      #expect(
        seen[modelID, default: []].allSatisfy { $0 == .undelivered(provisional: true) || $0 == .mapped(to: final) },
        "\(modelID) was seen as \(seen[modelID, default: []]): a trace linked to it would reach the server unmapped")
    }
    await server.stop()
  }
}

extension VersioningFixture {
  /// Points the fixture at a tracking server that is not started yet: its versions get
  /// provisional IDs, tried once each, until the server is started.
  mutating func pointAtServerDown() async throws -> MLflowServer {
    let server = try await MLflowServer(freshSQLiteIn: scratch.root + "/server", environment: environment)
    environment["MLFLOW_TRACKING_URI"] = server.url
    environment["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    environment["MLFLOW_HTTP_REQUEST_TIMEOUT"] = "10"
    return server
  }
}
