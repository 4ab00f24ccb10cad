import GitState
import LocalFiles
import MLflowStore

#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Delivers the hooks' journal to the tracking store: every journaled state becomes a
/// registered version (a READY LoggedModel in the index), exactly once.
///
/// One delivery runs at a time per repository (a `flock` on `mlflow-git/worker.lock`). A
/// background worker that finds another one running leaves the work to it; the running one
/// reads the journal again before it stops, so nothing appended meanwhile is left behind. When
/// the store is unavailable (no `mlflow.db` yet, a server down), the entries stay journaled and
/// the next hook, app start or `mlflow-git sync` delivers them.
///
/// # Usage
/// ```swift
/// let report = await JournalDelivery.deliver(from: repository, options: .init())
/// print("\(report.registered) registered, \(report.pending) waiting")
/// ```
public enum JournalDelivery {
  /// What a delivery did.
  public struct Report: Sendable {
    /// Journaled states that now have a model (registered now, or found already registered).
    public var delivered = 0
    /// Of those, the ones whose model this delivery created.
    public var created = 0
    /// Entries that stand for no version: detached `HEAD` (a rebase's intermediate commits,
    /// whose final commits come from `post-rewrite`), or a branch that no longer exists.
    public var skipped = 0
    /// Lines that could not be read (each also logged to `mlflow-git/worker.log`).
    public var malformed = 0
    /// Entries still waiting for the store.
    public var pending = 0
    /// `true` when another delivery was running, so this one did nothing.
    public var deferredToRunningWorker = false
    /// Why entries are still pending, when they are.
    public var problem: GitVersioningError?
  }

  /// Delivers what the journal of `repository` holds.
  ///
  /// - Parameters:
  ///   - repository: Any worktree of the repository.
  ///   - remoteName: The remote whose URL identifies versions.
  ///   - options: The store, experiment and policy settings (the environment in them matters:
  ///     `MLFLOW_TRACKING_URI`, `MLFLOW_EXPERIMENT_NAME`/`_ID`).
  ///   - waitForRunningWorker: Wait for a running delivery to finish and then deliver (the CLI's
  ///     `sync`), instead of leaving the work to it (the hooks' background worker).
  ///   - progress: Called with (done, total) while versions are registered.
  public static func deliver(
    from repository: GitRepository,
    remoteName: String = "origin",
    options: GitVersioningOptions = GitVersioningOptions(),
    waitForRunningWorker: Bool = false,
    progress: (Int, Int) -> Void = { _, _ in }
  ) async -> Report {
    let directory = VersionResolution.stateDirectory(of: repository)
    var report = Report()
    while true {
      let lock: FileLock?
      do {
        try PrivateFiles.createDirectory(directory)
        let path = directory + "/worker.lock"
        lock = waitForRunningWorker ? try FileLock.acquire(at: path) : try FileLock.tryAcquire(at: path)
      } catch {
        report.problem = GitVersioningError(.localState(error))
        return report
      }
      guard let lock else {
        report.deferredToRunningWorker = true
        return report
      }
      await drain(repository, remoteName: remoteName, options: options, into: &report, progress: progress)
      lock.release()
      // An entry appended after the last read, while a worker that found the lock taken gave
      // up, would wait for the next hook: look once more now that the lock is free.
      let journal = Journal(stateDirectory: directory)
      guard report.problem == nil, let batch = try? journal.pending(), !batch.entries.isEmpty || !batch.malformed.isEmpty
      else { return report }
    }
  }

  /// Delivers batches until the journal is empty or the store fails. Call with the worker lock.
  static func drain(
    _ repository: GitRepository, remoteName: String, options: GitVersioningOptions, into report: inout Report,
    progress: (Int, Int) -> Void
  ) async {
    let directory = VersionResolution.stateDirectory(of: repository)
    let journal = Journal(stateDirectory: directory)
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    var registrars: [String: Registrar] = [:]
    while true {
      let batch: Journal.Batch
      do {
        batch = try journal.pending()
      } catch {
        report.problem = GitVersioningError(.localState(error))
        return
      }
      guard !batch.entries.isEmpty || !batch.malformed.isEmpty else { return }
      for bad in batch.malformed {
        log("skipped an unreadable journal line: \(bad.text)", in: directory)
      }
      report.malformed += batch.malformed.count
      // Each worktree has its own default store (MLflow's mlflow.db is relative to where the
      // app runs), so versions go to the store of the worktree whose hook journaled them.
      var groups: [(worktree: GitRepository, versions: [GitVersion])] = []
      var seen = Set<[String]>()
      var skipped = 0
      let repoURL = (try? repository.remoteURL(named: remoteName))??.withoutCredentials
      for entry in batch.entries {
        guard let version = version(of: entry, in: repository, repoURL: repoURL) else {
          skipped += 1
          continue
        }
        let worktree = worktree(of: entry, in: repository)
        guard seen.insert([worktree.workTree, version.branch, version.commit]).inserted else { continue }
        if let index = groups.firstIndex(where: { $0.worktree.workTree == worktree.workTree }) {
          groups[index].versions.append(version)
        } else {
          groups.append((worktree, [version]))
        }
      }
      let total = groups.reduce(0) { $0 + $1.versions.count }
      var done = 0
      for group in groups {
        do {
          let registrar: Registrar
          if let opened = registrars[group.worktree.workTree] {
            registrar = opened
          } else {
            registrar = try await openRegistrar(group.worktree, environment: environment, options: options)
            registrars[group.worktree.workTree] = registrar
          }
          let outcomes = try await registrar.register(group.versions) { count in progress(done + count, total) }
          done += group.versions.count
          report.created += outcomes.filter(\.created).count
        } catch {
          report.problem = error
          report.pending = batch.entries.count
          log("\(batch.entries.count) journaled versions wait for the store: \(error)", in: directory)
          return
        }
      }
      report.delivered += batch.entries.count - skipped
      report.skipped += skipped
      do {
        try journal.markDelivered(upTo: batch.endOffset)
        try journal.compact()
      } catch {
        report.problem = GitVersioningError(.localState(error))
        return
      }
    }
  }

  static func openRegistrar(_ repository: GitRepository, environment: [String: String], options: GitVersioningOptions)
    async throws(GitVersioningError) -> Registrar
  {
    let trackingURI = try VersionResolution.trackingURI(of: repository, environment: environment)
    return try await Registrar.open(
      repository: repository, trackingURI: trackingURI, environment: environment, options: options)
  }

  /// The worktree whose hook journaled `entry`: the one with that Git directory, found through
  /// the `gitdir` file a linked worktree's Git directory keeps.
  static func worktree(of entry: Journal.Entry, in repository: GitRepository) -> GitRepository {
    if entry.gitDirectory == repository.gitDirectory { return repository }
    var workTree: String?
    if let pointer = (try? PrivateFiles.read(entry.gitDirectory + "/gitdir")) ?? nil {
      let dotGit = String(decoding: pointer, as: UTF8.self).trimmingSpaces()
      if dotGit.hasSuffix("/.git") { workTree = String(dotGit.dropLast("/.git".count)) }
    } else if entry.gitDirectory == repository.commonDirectory, entry.gitDirectory.hasSuffix("/.git") {
      workTree = String(entry.gitDirectory.dropLast("/.git".count))
    }
    guard let workTree else { return repository }
    return GitRepository(
      workTree: workTree, gitDirectory: entry.gitDirectory, commonDirectory: repository.commonDirectory,
      environment: nil)
  }

  /// The clean version a journal entry stands for, or `nil` (detached, or a branch whose tip
  /// cannot be read any more).
  static func version(of entry: Journal.Entry, in repository: GitRepository, repoURL: String?) -> GitVersion? {
    guard let branch = entry.branch else { return nil }
    guard let commit = entry.commit ?? (try? repository.commit(ofBranch: branch)) ?? nil else { return nil }
    return GitVersion(branch: branch, commit: commit, isDirty: false, repoURL: repoURL)
  }

  /// Appends a line to `mlflow-git/worker.log`: hooks never print, so problems go here (and
  /// `mlflow-git doctor` shows them).
  static func log(_ message: String, in directory: String) {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    try? PrivateFiles.append(Array("\(time.tv_sec) \(message)\n".utf8), to: directory + "/worker.log")
  }
}

/// A state the hooks journaled that has not been delivered to the store yet.
public struct PendingVersion: Sendable, Hashable {
  /// The hook that saw it.
  public var event: String
  /// The branch; `nil` for detached `HEAD` (such entries are skipped at delivery).
  public var branch: String?
  /// The commit, when the hook could read it.
  public var commit: String?
}

extension JournalDelivery {
  /// The journaled states of `repository` not delivered yet, oldest first.
  public static func pending(in repository: GitRepository) -> [PendingVersion] {
    let journal = Journal(stateDirectory: VersionResolution.stateDirectory(of: repository))
    guard let batch = try? journal.pending() else { return [] }
    return batch.entries.map { PendingVersion(event: $0.event, branch: $0.branch, commit: $0.commit) }
  }
}

extension JournalDelivery {
  /// Journals past commits of `branch` for delivery (what `mlflow-git backfill` registers).
  public static func journal(commits: [String], branch: String, in repository: GitRepository) throws(GitVersioningError) {
    let journal = Journal(stateDirectory: VersionResolution.stateDirectory(of: repository))
    do {
      try PrivateFiles.createDirectory(VersionResolution.stateDirectory(of: repository))
      try journal.append(
        commits.map {
          Journal.Entry(event: "backfill", head: "ref: refs/heads/" + branch, commit: $0, gitDirectory: repository.gitDirectory)
        })
    } catch {
      throw GitVersioningError(.localState(error))
    }
  }
}
