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
/// the store is absent (no `mlflow.db` and no `mlflow` to create it, or a server down), each
/// journaled state gets its model ID now and is kept undelivered (``UndeliveredVersion``); the
/// next hook, app start or `mlflow-git sync` delivers it once the store is there. Other store
/// failures (a locked database, a wrong setting) leave the entries journaled.
///
/// # Usage
/// ```swift
/// let report = await JournalDelivery.deliver(from: repository, options: .init())
/// print("\(report.registered) registered, \(report.pending) waiting")
/// ```
public enum JournalDelivery {
  /// What a delivery did.
  public struct Report: Sendable {
    /// Journaled states that now have a model ID: registered now, found already registered, or
    /// kept undelivered because the store is absent.
    public var delivered = 0
    /// Models this delivery created in a store (undelivered versions delivered now included).
    public var created = 0
    /// Versions this delivery gave an ID and kept undelivered, the store being absent.
    public var kept = 0
    /// Versions still undelivered when this delivery ended (they have their IDs and wait for
    /// their store).
    public var undelivered = 0
    /// Entries that stand for no version: detached `HEAD` (a rebase's intermediate commits,
    /// whose final commits come from `post-rewrite`), or a branch that no longer exists.
    public var skipped = 0
    /// Lines that could not be read (each also logged to `mlflow-git/worker.log`).
    public var malformed = 0
    /// Journal entries still waiting, without an ID (the store failed in another way).
    public var pending = 0
    /// `true` when another delivery was running, so this one did nothing.
    public var deferredToRunningWorker = false
    /// Why entries are pending or versions undelivered, when they are.
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
    // Tracking URIs found absent, with why: tried once per delivery.
    var absent: [String: GitVersioningError] = [:]
    while true {
      let lock: FileLock?
      do {
        try VersionResolution.createStateDirectory(directory)
        let path = directory + "/worker.lock"
        lock = waitForRunningWorker
          ? try await FileLock.acquire(at: path, waitingAtMost: nil) : try FileLock.tryAcquire(at: path)
      } catch {
        report.problem = GitVersioningError(.localState(error))
        log("the journal was not delivered: \(error)", in: directory)
        return report
      }
      guard let lock else {
        report.deferredToRunningWorker = true
        return report
      }
      await drain(repository, remoteName: remoteName, options: options, into: &report, absent: &absent, progress: progress)
      let folder = UndeliveredVersions(stateDirectory: directory)
      if !folder.isEmpty {
        let outcome = await UndeliveredDelivery.deliver(in: repository, options: options, skipping: Set(absent.keys))
        report.created += outcome.created
        if let problem = outcome.problem {
          log("\(outcome.remaining) undelivered versions wait for their store: \(problem)", in: directory)
          if report.problem == nil { report.problem = problem }
        }
      }
      report.undelivered = folder.modelIDs().count
      lock.release()
      // An entry appended after the last read, while a worker that found the lock taken gave
      // up, would wait for the next hook: look once more now that the lock is free.
      let journal = Journal(stateDirectory: directory)
      let onlyAbsent = report.problem.map(UndeliveredRegistration.applies(to:)) ?? true
      guard report.pending == 0, onlyAbsent, let batch = try? journal.pending(),
        !batch.entries.isEmpty || !batch.malformed.isEmpty
      else { return report }
    }
  }

  /// Delivers batches until the journal is empty or a store fails other than by being absent.
  /// Call with the worker lock.
  ///
  /// - Parameter absent: The tracking URIs found absent, with why; their versions are kept
  ///   undelivered without trying the store again.
  static func drain(
    _ repository: GitRepository, remoteName: String, options: GitVersioningOptions, into report: inout Report,
    absent: inout [String: GitVersioningError], progress: (Int, Int) -> Void
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
        log("the journal could not be read: \(error)", in: directory)
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
      var skipped: [Journal.Entry] = []
      // The remote URL is part of every version's identity: when it cannot be read, nothing is
      // registered (a version without it would be another version).
      let repoURL: String?
      do {
        repoURL = try repository.remoteURL(named: remoteName)?.withoutCredentials
      } catch {
        report.problem = GitVersioningError(.git(error))
        report.pending = batch.entries.count
        log("\(batch.entries.count) journaled versions wait: the remote '\(remoteName)' cannot be read: \(error)", in: directory)
        return
      }
      for entry in batch.entries {
        guard let version = version(of: entry, in: repository, repoURL: repoURL) else {
          skipped.append(entry)
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
        do throws(GitVersioningError) {
          let trackingURI = try VersionResolution.trackingURI(of: group.worktree, environment: environment)
          var reason = absent[trackingURI.description]
          if reason == nil {
            do throws(GitVersioningError) {
              let registrar: Registrar
              if let opened = registrars[group.worktree.workTree] {
                registrar = opened
              } else {
                registrar = try await Registrar.open(
                  repository: group.worktree, trackingURI: trackingURI, environment: environment, options: options)
                registrars[group.worktree.workTree] = registrar
              }
              let outcomes = try await registrar.register(group.versions) { count in progress(done + count, total) }
              report.created += outcomes.filter(\.created).count
            } catch where UndeliveredRegistration.applies(to: error) {
              reason = error
              absent[trackingURI.description] = error
            }
          }
          if let reason {
            // The store is absent: each version gets its ID now and waits undelivered.
            let registration = UndeliveredRegistration(
              repository: group.worktree, trackingURI: trackingURI, environment: environment, options: options)
            let outcomes = try await registration.keep(group.versions)
            report.kept += outcomes.filter(\.created).count
            report.problem = reason
          }
          done += group.versions.count
          progress(done, total)
        } catch {
          report.problem = error
          report.pending = batch.entries.count
          log("\(batch.entries.count) journaled versions wait for the store: \(error)", in: directory)
          return
        }
      }
      report.delivered += batch.entries.count - skipped.count
      report.skipped += skipped.count
      for entry in skipped where entry.branch != nil {
        log(
          "skipped a journaled state: branch '\(entry.branch ?? "")' (\(entry.commit ?? "tip")) no longer exists",
          in: directory)
      }
      do {
        try journal.markDelivered(upTo: batch.endOffset)
        try journal.compact(threshold: Journal.compactionThreshold(environment))
      } catch {
        report.problem = GitVersioningError(.localState(error))
        log("delivered journal entries could not be marked delivered (they are delivered again): \(error)", in: directory)
        return
      }
    }
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
  /// `mlflow-git doctor` shows them). Past ``workerLogLimit`` bytes the log is renamed
  /// `worker.log.1` (replacing the one before) and a new one is started, so the two never take
  /// more than twice the limit.
  static func log(_ message: String, in directory: String) {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    let path = directory + "/worker.log"
    if let size = PrivateFiles.size(of: path), size >= workerLogLimit { rename(path, path + ".1") }
    try? PrivateFiles.append(Array("\(time.tv_sec) \(message)\n".utf8), to: path)
  }

  /// The size past which `worker.log` is rotated.
  static let workerLogLimit = 256 * 1024

  /// Appends `message` to the background worker's log of `repository` (`mlflow-git/worker.log`),
  /// for what a background run cannot print.
  public static func log(_ message: String, in repository: GitRepository) {
    log(message, in: VersionResolution.stateDirectory(of: repository))
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
      try VersionResolution.createStateDirectory(VersionResolution.stateDirectory(of: repository))
      try journal.append(
        commits.map {
          Journal.Entry(event: "backfill", head: "ref: refs/heads/" + branch, commit: $0, gitDirectory: repository.gitDirectory)
        })
    } catch {
      throw GitVersioningError(.localState(error))
    }
  }
}
