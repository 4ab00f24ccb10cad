import Foundation
import GitHooks
import GitState
import MLflowStore
import MLflowTracing
import RepositoryFixtures
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration

/// The `///` examples of GitVersioning's package API and of VersionRegistration, verbatim
/// (between `doc example` and `end doc example` lines, at the left margin as the comments show
/// them), run against real repositories and stores.
@Suite("The `///` examples of GitVersioning and VersionRegistration run, and are their comments' text")
struct DocExampleTests {
  @Test("the examples this file holds are their comments' text, and every example of VersionRegistration is held by a test")
  func examplesAreTheComments() throws {
    let problems = try DocExamples.problems(testFiles: [#filePath], modules: ["VersionRegistration"], testFolders: ["VersionRegistrationTests"])
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n\n"))")
  }

  @Test("the version, registration, store and resolution examples find the one model the store holds")
  func registrationExamples() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    let appDirectory = fixture.repo
    let environment = fixture.environment
    let repository = try GitRepository.discover(from: appDirectory, environment: environment)
    let uri = try Registration.trackingURI(of: repository, environment: environment)

// doc example: Sources/VersionRegistration/GitVersion.swift
let version = GitVersion(snapshot: try GitSnapshot.read(from: appDirectory))
print(version.displayName)   // main-93be08f, or main-93be08f-dirty-3a2c1b
// end doc example
    let commit = try fixture.scratch.git(["-C", appDirectory, "rev-parse", "HEAD"])
    #expect(version.displayName == "main-" + commit.prefix(7))

// doc example: Sources/VersionRegistration/Registration.swift
let registered = try await Registration.register(
  version, in: repository, trackingURI: uri, environment: environment, settings: RegistrationSettings(),
  waitingAtMost: .milliseconds(50))
print(registered.modelID, registered.isDelivered)
// end doc example
    #expect(registered.isDelivered)
    #expect(try await fixture.models().map(\.modelID) == [registered.modelID])

    let modelID = registered.modelID
// doc example: Sources/VersionRegistration/RepositoryStore.swift
let opened = try await RepositoryStore.open(options: RegistrationSettings(directory: appDirectory))
let model = try await opened.store.loggedModel(id: modelID)
// end doc example
    #expect(model.tags["mlflow.source.git.commit"] == commit)

// doc example: Sources/GitVersioning/VersionResolution.swift
let resolution = try await VersionResolution.resolve(options: GitVersioningOptions(directory: appDirectory))
print(resolution.version.displayName, resolution.modelID)
// end doc example
    #expect(resolution.modelID == modelID && resolution.foundInIndex)

    let checked = try await storeCheckExample(appDirectory: appDirectory)
    #expect(checked.modelID == modelID)
    #expect(checked.storeCheck != .notMade, "the example asks for the check before returning")
  }

  /// VersionResolution+StoreCheck's example; the resolution it made.
  func storeCheckExample(appDirectory: String) async throws -> VersionResolution {
// doc example: Sources/GitVersioning/VersionResolution+StoreCheck.swift
let resolution = try await VersionResolution.resolve(
  options: GitVersioningOptions(directory: appDirectory, indexVerification: .beforeReturning))
if resolution.storeCheck == .storeUnchanged { print("mlflow.db unchanged since the last check") }
// end doc example
    return resolution
  }

  @Test("ComparedVersion's example names the merge base's and the current state's versions")
  func comparedVersionExample() async throws {
    let fixture = try await VersioningFixture()
    defer { fixture.remove() }
    try fixture.git("checkout", "-q", "-b", "feature")
    try fixture.write("def app():\n    return \"v2\"\n", to: "app.py")
    let options = fixture.options()

// doc example: Sources/GitVersioning/ComparedVersion.swift
let opened = try await RepositoryStore.open(options: options.settings)
let base = try await ComparedVersion.resolve(.mergeBase, in: opened.repository, store: opened, options: options)
let head = try await ComparedVersion.resolve(.currentState, in: opened.repository, store: opened, options: options)
print(base.name, "→", head.name)
// end doc example

    let main = try fixture.scratch.git(["-C", fixture.repo, "rev-parse", "--short=7", "main"])
    #expect(base.name == "main-" + main)
    #expect(head.name.hasPrefix("feature-" + main + "-dirty-"), "\(head.name)")
    #expect(head.version.isDirty)
  }

  @Test("the undelivered-version, ID-mapping and journal-delivery examples follow a version from absent store to store")
  func undeliveredExamples() async throws {
    let fixture = try await VersioningFixture(freshMachine: true)
    defer { fixture.remove() }
    // Scoped, so that no other test's traces follow this version into its state folder.
    let modelID = try await withGitModelVersioning(options: fixture.options()) { context in
      try #require(context.activeModel?.modelID)
    }
    let repository = try GitRepository.discover(from: fixture.repo, environment: fixture.environment)

    var listed: [String] = []
    func print(_ items: Any...) { listed.append(items.map { "\($0)" }.joined(separator: " ")) }
// doc example: Sources/VersionRegistration/UndeliveredVersion.swift
for version in UndeliveredVersion.all(in: repository) {
  print(version.modelID, version.name, version.isProvisional ? "provisional" : "final")
}
// end doc example
    let commit = try fixture.scratch.git(["-C", fixture.repo, "rev-parse", "--short=7", "HEAD"])
    #expect(listed == ["\(modelID) main-\(commit) final"])

    #expect(linkOrKeep(modelID, in: repository) == "kept")
    try await MLflowDatabaseTemplate.copy(to: fixture.databasePath)

// doc example: Sources/VersionRegistration/JournalDelivery.swift
let report = await JournalDelivery.deliver(from: repository, options: .init())
print("\(report.delivered) delivered (\(report.created) new), \(report.pending) waiting")
// end doc example
    #expect(report.problem == nil && report.undelivered == 0 && report.pending == 0, "\(report)")
    #expect(try await fixture.models().map(\.modelID) == [modelID], "the embedded store keeps the ID it gave")
    #expect(UndeliveredVersion.all(in: repository).isEmpty)
    #expect(linkOrKeep(modelID, in: repository) == "sent to \(modelID)")
  }

  @Test("the worker's example delivers a version kept undelivered once the store exists, and says so")
  func workerExample() async throws {
    let fixture = try await VersioningFixture(freshMachine: true)
    defer { fixture.remove() }
    let appDirectory = fixture.repo
    // Scoped, so that no other test's traces follow this version into its state folder.
    let modelID = try await withGitModelVersioning(options: fixture.options()) { context in
      try #require(context.activeModel?.modelID)
    }
    try await MLflowDatabaseTemplate.copy(to: fixture.databasePath)
    var printed: [String] = []
    func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }
// doc example: Sources/VersionRegistration/JournalWorker.swift
let worker = JournalWorker(
  refreshingHooks: { repository in _ = try? HookInstallation.refreshForwarding(in: repository) },
  deliveringTraces: { stateDirectory in await TraceJournal(stateDirectory: stateDirectory).deliver() })
let report = try await worker.run(in: appDirectory, background: false)
print("versions created: \(report.versions.created), traces stored: \(report.traces.delivered)")
// end doc example
    #expect(report.versions.problem == nil && report.versions.undelivered == 0, "\(report.versions)")
    #expect(try await fixture.models().map(\.modelID) == [modelID], "the undelivered version is in the store, with its ID")
    #expect(report.traces == TraceJournal.Report(), "no trace was journaled")
    #expect(printed == ["versions created: 1, traces stored: 0"])
  }

  /// ModelIDMapping's example: what it did with a trace journaled with `modelID`.
  func linkOrKeep(_ modelID: String, in repository: GitRepository) -> String {
    let trace = "trace"
    var outcome = ""
    func send(_ trace: String, linkedTo id: String) { outcome = "sent to \(id)" }
    func keep(_ trace: String) { outcome = "kept" }
// doc example: Sources/VersionRegistration/ModelIDMapping.swift
// Before sending a trace journaled with `modelID`:
switch ModelIDMapping.status(of: modelID, in: repository) {
case .mapped(let final): send(trace, linkedTo: final)
case .undelivered: keep(trace)                 // its version is not in the store yet
case .final: send(trace, linkedTo: modelID)
}
// end doc example
    return outcome
  }
}
