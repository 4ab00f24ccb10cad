import ChildProcess
import Foundation
import MLflowTracing
import Testing
import TestSupport

/// Four worktrees of one repository committing, amending and rebasing at once, from shells that
/// point at two stores, while background workers are killed at random moments, the stores go
/// down and come back, and an app writes traces linked to the versions. After one `mlflow-git
/// sync`, Python MLflow must see every (branch, commit) of every branch's reflog as a READY
/// version exactly once, no PENDING model, every journal line accounted for and every trace
/// once. `MLFLOW_GIT_CHAOS_ROUNDS` sets the steps per worktree (default 60, about 0.75 s apart);
/// the steps stop after `chaosTimeLimit` however many are done, so that a slow machine still
/// ends the run in a few minutes.
@Suite("Chaos: nothing lost, nothing leaked, nothing stuck", .tags(.chaos))
struct ChaosTests {
  @Test("four worktrees under killed workers and store outages: every reflog version READY once, every line and trace accounted for")
  func chaos() async throws {
    let rounds = ProcessInfo.processInfo.environment["MLFLOW_GIT_CHAOS_ROUNDS"].flatMap { Int($0) } ?? 60
    let repository = try await ChaosRepository.make()
    do {
      try await Self.run(repository, rounds: rounds)
    } catch {
      await repository.remove()
      throw error
    }
    await repository.remove()
  }

  /// How long the worktrees go on committing, at most.
  static let chaosTimeLimit: Duration = .seconds(90)

  static func median(_ durations: [Duration]) -> Duration {
    durations.isEmpty ? .zero : durations.sorted()[durations.count / 2]
  }

  static func run(_ repository: ChaosRepository, rounds: Int) async throws {
    let figures = ChaosFigures()
    let clock = ContinuousClock()
    let started = clock.now
    let deadline = started + chaosTimeLimit

    let killer = Task { try await ChaosLoops.killWorkers(of: repository, figures: figures) }
    let serverOutages = Task { try await ChaosLoops.stopServer(of: repository, figures: figures) }
    let databaseOutages = Task { try await ChaosLoops.takeDatabaseAway(of: repository, figures: figures) }
    let app = Task { try await ChaosLoops.writeTraces(in: repository, figures: figures) }
    var developing: (any Error)?
    do {
      try await withThrowingTaskGroup(of: Void.self) { group in
        for worktree in repository.worktrees {
          group.addTask { try await ChaosLoops.develop(worktree, rounds: rounds, until: deadline, in: repository, figures: figures) }
        }
        try await group.waitForAll()
      }
    } catch {
      developing = error
    }
    figures.stop()
    try await killer.value
    try await serverOutages.value
    try await databaseOutages.value
    try await app.value
    if let developing { throw developing }
    let chaosTime = clock.now - started
    let loadAverage = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
      .joined(separator: " ") ?? "?"
    let settling = clock.now
    let exported = await flushTraces()
    let flushTime = clock.now - settling
    for worktree in repository.worktrees { try await BackgroundWorkers.waitUntilNoneRuns(in: worktree.path) }
    let syncing = clock.now

    let sync = try await repository.cli(repository.worktrees[0], ["sync"])
    #expect(sync.succeeded, "mlflow-git sync: \(sync.standardOutputText) \(sync.standardErrorText)")
    let syncTime = clock.now - syncing

    let checking = clock.now
    let oracle = try await ChaosOracle.read(repository)
    var lost: [String] = []
    var versions = 0
    for (worktree, commit) in try oracle.reflogVersions() {
      let found = oracle.models(of: worktree, branch: worktree.branch, commit: commit)
      versions += 1
      if found.count != 1 || found[0].status != "READY" {
        lost.append("\(worktree.branch) \(commit.prefix(7)): \(found.map(\.status))")
      }
    }
    let duplicates = oracle.duplicateGroups
    let pending = oracle.pendingModels
    let journal = try oracle.journalAccount()

    var tracesLost: [String] = []
    var tracesDuplicated = 0
    for written in figures.writtenTraces {
      let worktree = repository.worktrees[written.worktree]
      let found = (oracle.traces[worktree.store] ?? []).filter { $0.traceID == written.traceID }
      if found.count > 1 { tracesDuplicated += 1 }
      let linked = found.first?.modelID.flatMap { id in (oracle.models[worktree.store] ?? []).first { $0.modelID == id } }
      if found.isEmpty || linked?.branch != written.branch || linked?.commit != written.commit || linked?.status != "READY" {
        let link = found.first.map { "linked to \($0.modelID ?? "nothing")" } ?? "not found"
        let model = linked.map { "\($0.status) \($0.branch ?? "-") \($0.commit?.prefix(7) ?? "-")" } ?? "no active model"
        tracesLost.append(
          "\(written.traceID) (\(written.branch) \(written.commit.prefix(7)), written with \(written.modelID)): \(link), \(model)")
      }
    }

    let counts = figures.snapshot
    let modelCount = oracle.models.values.reduce(0) { $0 + $1.count }
    let steps = counts.commits + counts.amends + counts.rebases + counts.failures.count
    print(
      """
      chaos: 4 worktrees, \(steps) of \(4 * rounds) steps in \(chaosTime) (load average \(loadAverage)): \
      \(counts.commits) commits, \(counts.amends) amends, \
      \(counts.rebases) rebases; \(counts.kills) workers killed; outages: \(counts.serverOutages) server stopped, \
      \(counts.databaseLocks) mlflow.db locked, \(counts.databaseMoves) mlflow.db moved away
      chaos: \(versions) reflog versions, \(modelCount) models in the stores, duplicates = \(duplicates.count), \
      lost = \(lost.count), PENDING = \(pending.count)
      chaos: \(journal.lines) journal lines: \(journal.delivered) delivered, \(journal.skipped) skipped with a stated \
      reason, \(journal.malformed) malformed, \(journal.unaccounted.count) unaccounted for
      chaos: \(figures.writtenTraces.count) traces written (\(exported.stored) stored at once, \(exported.journaled) \
      journaled, \(exported.dropped) dropped), lost = \(tracesLost.count), duplicated = \(tracesDuplicated); \
      \(counts.unversionedStarts) app starts without a version; app starts took \(Self.median(counts.startTimes)) \
      (median), \(counts.startTimes.max() ?? .zero) at most
      chaos: the traces' flush took \(flushTime), the last workers \(syncing - settling - flushTime), the sync \
      \(syncTime) (\(sync.standardOutputText.split(separator: "\n").joined(separator: "; "))), the oracle \
      \(clock.now - checking)
      chaos: the workers logged \(oracle.workerLog.count) lines: \(oracle.workerLogSummary)
      """)
    #expect(counts.failures.isEmpty, "the chaos's own steps failed: \(counts.failures.prefix(5))")
    #expect(lost.isEmpty, "reflog versions not READY exactly once: \(lost.prefix(10))")
    #expect(duplicates.isEmpty, "duplicated versions: \(duplicates.prefix(5).map { $0.map(\.modelID) })")
    #expect(pending.isEmpty, "models not READY: \(pending.prefix(5).map(\.modelID))")
    #expect(journal.unaccounted.isEmpty && journal.malformed == 0, "journal lines unaccounted for: \(journal.unaccounted.prefix(10))")
    #expect(exported.dropped == 0, "traces dropped")
    #expect(tracesLost.isEmpty && tracesDuplicated == 0, "traces lost: \(tracesLost.prefix(10))")
    #expect(counts.kills > 0 && counts.serverOutages > 0 && counts.databaseLocks > 0 && counts.databaseMoves > 0,
      "the chaos killed workers and took both stores down")
  }
}
