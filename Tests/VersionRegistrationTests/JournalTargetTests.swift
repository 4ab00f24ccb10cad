import ChildProcess
import Foundation
import LocalFiles
import RepositoryFixtures
import Testing
import TestSupport

/// A journaled state goes to the store and experiment the environment of the hook that saw it
/// pointed at, whatever environment the worker delivering it runs in.
@Suite("Journaled states go where their hook's environment pointed")
struct JournalTargetTests {
  @Test(
    "commits from shells on different stores and experiments, delivered by a worker from yet another environment: each lands where its shell pointed, no credential on disk"
  )
  func eachWhereItsShellPointed() async throws {
    let fixture = try await HookFixture()
    defer { fixture.remove() }
    #expect(try await fixture.cli("install").succeeded)
    let password = "pw-" + UUID().uuidString.prefix(12)
    let server = try await MLflowServer.startedWithBasicAuth(in: fixture.scratch.root + "/server", adminPassword: password)
    defer { server.stop() }
    let withCredentials = server.url.replacing("http://", with: "http://admin:\(password)@")
    let storeB = fixture.scratch.root + "/store b/mlflow.db"
    let storeC = fixture.scratch.root + "/store c/mlflow.db"
    for store in [storeB, storeC] {
      try FileManager.default.createDirectory(atPath: (store as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try await MLflowDatabaseTemplate.copy(to: store)
    }
    func shell(_ variables: [String: String]) -> [String: String] { fixture.environment.merging(variables) { $1 } }
    // Shell A: the authenticating server, credentials in the URI. Shell B: an mlflow.db of its
    // own and an experiment whose name has a tab.
    let shellA = shell(["MLFLOW_TRACKING_URI": withCredentials, "MLFLOW_EXPERIMENT_NAME": "shell A"])
    let shellB = shell(["MLFLOW_TRACKING_URI": "sqlite:///" + storeB, "MLFLOW_EXPERIMENT_NAME": "shell B\tteam"])
    // The workers: C1 on the same server (so it has credentials for it) in another experiment;
    // C2 on a store of its own, without credentials for the server.
    let workers = [
      shell(["MLFLOW_TRACKING_URI": withCredentials, "MLFLOW_EXPERIMENT_NAME": "shell C"]),
      shell(["MLFLOW_TRACKING_URI": "sqlite:///" + storeC]),
    ]

    var commitsA: [String] = []
    var commitsB: [String] = []
    for worker in workers {
      // The hooks' own workers find the worker lock taken and leave the work to its holder.
      let lock = try #require(try FileLock.tryAcquire(at: fixture.stateDirectory + "/worker.lock"))
      for (environment, label) in [(shellA, "A"), (shellB, "B")] {
        let commit = try await fixture.run("git", ["commit", "-q", "--allow-empty", "-m", "from shell \(label)"], environment: environment)
        try #require(commit.succeeded, "\(commit.standardErrorText)")
        let head = try await fixture.head()
        if label == "A" { commitsA.append(head) } else { commitsB.append(head) }
      }
      try await BackgroundWorkers.waitUntilNoneRuns(in: fixture.repo)
      lock.release()
      let delivery = try await ChildProcess.runLimited(
        "sh", arguments: ["-c", "cd \"$1\" && exec \"$2\" sync --background", "worker", fixture.repo, HookFixture.cliPath],
        environment: worker)
      #expect(delivery.succeeded)
    }

    let onServer = try await ReferenceMLflow.loggedModels(
      trackingURI: server.url, environment: ["MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": password])
    let inB = try await ReferenceMLflow.loggedModels(trackingURI: "sqlite:///" + storeB)
    let inC = try await ReferenceMLflow.loggedModels(trackingURI: "sqlite:///" + storeC)
    let where_ = { (models: [ReferenceMLflow.StoredModel]) in models.map { "\($0.experimentName): \($0.commit ?? "-")" }.sorted() }
    #expect(where_(onServer) == ["shell A: \(commitsA[0])"], "C1 delivered A's first commit; the second waits for credentials")
    #expect(where_(inB) == commitsB.map { "shell B\tteam: \($0)" }.sorted(), "both of B's commits, by C1 and C2")
    #expect(inC.isEmpty, "nothing went to the worker's own store")
    let log = (try? String(contentsOfFile: fixture.stateDirectory + "/worker.log", encoding: .utf8)) ?? ""
    #expect(log.contains("wait undelivered for credentials of \(server.url)"), "log: \(log)")

    // Shell A's next sync has the credentials: its waiting commit lands in its experiment.
    let sync = try await ChildProcess.runLimited(
      "sh", arguments: ["-c", "cd \"$1\" && exec \"$2\" sync", "sync", fixture.repo, HookFixture.cliPath], environment: shellA)
    #expect(sync.succeeded, "\(sync.standardErrorText)")
    let afterSync = try await ReferenceMLflow.loggedModels(
      trackingURI: server.url, environment: ["MLFLOW_TRACKING_USERNAME": "admin", "MLFLOW_TRACKING_PASSWORD": password])
    #expect(where_(afterSync) == commitsA.map { "shell A: \($0)" }.sorted())
    #expect(afterSync.allSatisfy { $0.status == "READY" && $0.branch == "main" })

    var leaks: [String] = []
    for root in [fixture.repo + "/.git", fixture.environment["HOME"]! + "/.local/state", storeB, storeC] {
      let paths = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String])?.map { root + "/" + $0 } ?? [root]
      for path in paths {
        guard let data = FileManager.default.contents(atPath: path) else { continue }
        if String(decoding: data, as: UTF8.self).contains(password) { leaks.append(path) }
      }
    }
    #expect(leaks.isEmpty, "the password is on disk in: \(leaks)")
  }
}
