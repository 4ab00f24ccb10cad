import ChildProcess
import Foundation
import GitVersioning
import MLflowTracing
import TestSupport

/// The chaos's concurrent loops: a developer per worktree, a killer of background workers, store
/// outages, and an app writing traces.
enum ChaosLoops {
  /// `rounds` steps in `worktree`, up to 1.5 s apart, none after `deadline`: a commit, an
  /// amend, or (on a feature branch) a rebase onto main's tip of the moment; each runs the
  /// hooks, which journal and start a worker.
  static func develop(
    _ worktree: ChaosRepository.Worktree, rounds: Int, until deadline: ContinuousClock.Instant, in repository: ChaosRepository,
    figures: ChaosFigures
  ) async throws {
    for round in 0..<rounds where ContinuousClock.now < deadline {
      let roll = Int.random(in: 0..<10)
      let (arguments, counted): ([String], WritableKeyPath<ChaosFigures.Counts, Int>) =
        if roll < 6 || round == 0 {
          (["commit", "-q", "--allow-empty", "-m", "\(worktree.branch) \(round)"], \.commits)
        } else if roll < 8 || worktree.branch == "main" {
          (["commit", "-q", "--allow-empty", "--amend", "-m", "\(worktree.branch) \(round), amended"], \.amends)
        } else {
          (["rebase", "-q", "main"], \.rebases)
        }
      let output = try await repository.git(worktree, arguments)
      if output.succeeded {
        figures.count { $0[keyPath: counted] += 1 }
      } else {
        figures.fail("git \(arguments.joined(separator: " ")) in \(worktree.branch): \(output.standardErrorText)")
        if arguments[0] == "rebase" { _ = try await repository.git(worktree, ["rebase", "--abort"]) }
      }
      // Paced so the steps span many outages: sometimes at once (a burst of hooks), mostly a
      // developer's pause.
      try await Task.sleep(for: .milliseconds(Int.random(in: 0...1500)))
    }
  }

  /// Until the chaos stops: every 0.1–1.5 s, `kill -9` one of the running background workers.
  /// Often enough that most workers die mid-batch, seldom enough that some finish theirs (a
  /// worker moves the journal's offset only when its whole batch is registered).
  static func killWorkers(of repository: ChaosRepository, figures: ChaosFigures) async throws {
    while !figures.isStopping {
      try await Task.sleep(for: .milliseconds(Int.random(in: 100...1500)))
      let running = repository.worktrees.flatMap { BackgroundWorkers.running(in: $0.path) }
      if let victim = running.randomElement(), kill(victim, SIGKILL) == 0 {
        figures.count { $0.kills += 1 }
      }
    }
  }

  /// Until the chaos stops, and at least once: 1–3 s apart, the tracking server stopped for
  /// 2–5 s and started again (it takes seconds more to answer). It is up when this returns.
  static func stopServer(of repository: ChaosRepository, figures: ChaosFigures) async throws {
    repeat {
      try await Task.sleep(for: .milliseconds(Int.random(in: 1000...3000)))
      await repository.server.stop()
      try await Task.sleep(for: .milliseconds(Int.random(in: 2000...5000)))
      try await repository.server.start()
      figures.count { $0.serverOutages += 1 }
    } while !figures.isStopping
  }

  /// Until the chaos stops, and at least once each: 1–3 s apart, for 2–5 s, in turn: `mlflow.db`
  /// locked by another process (an exclusive transaction, as a long write or a backup holds it)
  /// past the stores' busy timeout; `mlflow.db` moved away (a volume gone) and back. It is in
  /// place and unlocked when this returns.
  static func takeDatabaseAway(of repository: ChaosRepository, figures: ChaosFigures) async throws {
    var turn = 0
    while !figures.isStopping || turn < 2 {
      try await Task.sleep(for: .milliseconds(Int.random(in: 1000...3000)))
      let seconds = Double.random(in: 2...5)
      if turn % 2 == 0 {
        let python = try await ReferenceMLflow.pythonPath()
        let lock = try await ChildProcess.runAsync(
          python,
          arguments: [
            "-c",
            "import sqlite3, sys, time\nconnection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)\n"
              + "connection.execute('BEGIN EXCLUSIVE')\ntime.sleep(float(sys.argv[2]))\nconnection.execute('COMMIT')",
            repository.databasePath, String(seconds),
          ])
        if lock.succeeded {
          figures.count { $0.databaseLocks += 1 }
        } else {
          figures.fail("the database lock failed: \(lock.standardErrorText)")
        }
      } else {
        let away = repository.databasePath + ".away"
        try FileManager.default.moveItem(atPath: repository.databasePath, toPath: away)
        try await Task.sleep(for: .seconds(seconds))
        if FileManager.default.fileExists(atPath: repository.databasePath) {
          figures.fail("something created \(repository.databasePath) while it was away")
          try FileManager.default.removeItem(atPath: repository.databasePath)
        }
        try FileManager.default.moveItem(atPath: away, toPath: repository.databasePath)
        figures.count { $0.databaseMoves += 1 }
      }
      turn += 1
    }
  }

  /// Until the chaos stops: every 100–250 ms, an app start in a random worktree, with that
  /// worktree's shell environment, writing one trace linked to the version it runs as.
  static func writeTraces(in repository: ChaosRepository, figures: ChaosFigures) async throws {
    var number = 0
    while !figures.isStopping {
      try await Task.sleep(for: .milliseconds(Int.random(in: 100...250)))
      let index = Int.random(in: 0..<repository.worktrees.count)
      let worktree = repository.worktrees[index]
      number += 1
      let call = number
      let clock = ContinuousClock()
      let started = clock.now
      let written = await withGitModelVersioning(
        options: GitVersioningOptions(directory: worktree.path, environment: worktree.environment)
      ) { context -> ChaosFigures.WrittenTrace? in
        let elapsed = clock.now - started
        figures.count { $0.startTimes.append(elapsed) }
        guard let model = context.activeModel, let version = context.info else { return nil }
        let traceID = trace("chaos call", inputs: ["call": call]) { span in span.traceID }
        return ChaosFigures.WrittenTrace(
          traceID: traceID, worktree: index, modelID: model.modelID, branch: version.branch, commit: version.commit)
      }
      if let written {
        figures.wrote(written)
      } else {
        figures.count { $0.unversionedStarts += 1 }
      }
    }
  }
}
