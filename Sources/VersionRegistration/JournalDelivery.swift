package import GitState
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
/// print("\(report.delivered) delivered (\(report.created) new), \(report.pending) waiting")
/// ```
package enum JournalDelivery {
  /// What a delivery did.
  package struct Report: Sendable {
    /// Journaled states that now have a model ID: registered now, found already registered, or
    /// kept undelivered because the store is absent.
    package var delivered = 0
    /// Models this delivery created in a store (undelivered versions delivered now included).
    package var created = 0
    /// Versions this delivery gave an ID and kept undelivered, the store being absent.
    package var kept = 0
    /// Versions still undelivered when this delivery ended (they have their IDs and wait for
    /// their store).
    package var undelivered = 0
    /// Entries that stand for no version: detached `HEAD` (a rebase's intermediate commits,
    /// whose final commits come from `post-rewrite`), or a branch that no longer exists.
    package var skipped = 0
    /// Lines that could not be read (each also logged to `mlflow-git/worker.log`).
    package var malformed = 0
    /// Journal entries still waiting, without an ID (the store failed in another way).
    package var pending = 0
    /// `true` when another delivery was running, so this one did nothing.
    package var deferredToRunningWorker = false
    /// Why entries are pending or versions undelivered, when they are.
    package var problem: RegistrationError?
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
  package static func deliver(
    from repository: GitRepository,
    remoteName: String = "origin",
    options: RegistrationSettings = RegistrationSettings(),
    waitForRunningWorker: Bool = false,
    progress: (Int, Int) -> Void = { _, _ in }
  ) async -> Report {
    let directory = Registration.stateDirectory(of: repository)
    var report = Report()
    // Tracking URIs found absent, with why: tried once per delivery.
    var absent: [String: RegistrationError] = [:]
    while true {
      let lock: FileLock?
      do {
        try Registration.createStateDirectory(directory)
        let path = StateFolder(path: directory).workerLock
        lock = waitForRunningWorker
          ? try await FileLock.acquire(at: path, waitingAtMost: nil) : try FileLock.tryAcquire(at: path)
      } catch {
        report.problem = RegistrationError(.localState(error))
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
  /// Each entry goes where the environment of the hook that journaled it pointed (see
  /// ``Journal/Target``), in the store of the worktree it was journaled in when that environment
  /// named none: the delivering environment only lends the credentials for that store when it
  /// uses the same one (see ``Registration/connection(to:repository:environment:)``). A
  /// store that is absent, or that refuses this environment's credentials, does not hold up the
  /// others: its versions get their IDs now and wait undelivered for a process that can deliver
  /// them (the next hook, app start or `mlflow-git sync` of a shell with the credentials). An
  /// entry whose journaled store or experiment cannot be used at all (a scheme mlflow-git does
  /// not write, an experiment ID the store does not have) is skipped, and why is logged.
  ///
  /// - Parameter absent: The tracking URIs found absent or refusing, with why; their versions are
  ///   kept undelivered without trying the store again.
  static func drain(
    _ repository: GitRepository, remoteName: String, options: RegistrationSettings, into report: inout Report,
    absent: inout [String: RegistrationError], progress: (Int, Int) -> Void
  ) async {
    let directory = Registration.stateDirectory(of: repository)
    let journal = Journal(stateDirectory: directory)
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    var registrars: [Destination: Registrar] = [:]
    while true {
      let batch: Journal.Batch
      do {
        batch = try journal.pending()
      } catch {
        report.problem = RegistrationError(.localState(error))
        log("the journal could not be read: \(error)", in: directory)
        return
      }
      guard !batch.entries.isEmpty || !batch.malformed.isEmpty else { return }
      for bad in batch.malformed {
        log("skipped an unreadable journal line: \(bad.text)", in: directory)
      }
      report.malformed += batch.malformed.count
      var groups: [(destination: Destination, versions: [GitVersion])] = []
      var seen = Set<[String]>()
      var skipped = 0
      // The remote URL is part of every version's identity: when it cannot be read, nothing is
      // registered (a version without it would be another version).
      let repoURL: String?
      do {
        repoURL = try repository.remoteURL(named: remoteName)?.withoutCredentials
      } catch {
        report.problem = RegistrationError(.git(error))
        report.pending = batch.entries.count
        log("\(batch.entries.count) journaled versions wait: the remote '\(remoteName)' cannot be read: \(error)", in: directory)
        return
      }
      for entry in batch.entries {
        guard let version = version(of: entry, in: repository, repoURL: repoURL) else {
          skipped += 1
          if let branch = entry.branch {
            log("skipped a journaled state: branch '\(branch)' (\(entry.commit ?? "tip")) no longer exists", in: directory)
          }
          continue
        }
        let destination: Destination
        do throws(RegistrationError) {
          destination = try Destination(of: entry, worktree: worktree(of: entry, in: repository), environment: environment)
        } catch where entry.target != nil && Destination.isStoreSetting(error) {
          skipped += 1
          log("skipped a journaled state (\(version.displayName)): its store cannot be used: \(error)", in: directory)
          continue
        } catch {
          report.problem = error
          report.pending = batch.entries.count
          log("\(batch.entries.count) journaled versions wait: their store cannot be chosen: \(error)", in: directory)
          return
        }
        guard seen.insert(destination.key + [version.branch, version.commit]).inserted else { continue }
        if let index = groups.firstIndex(where: { $0.destination == destination }) {
          groups[index].versions.append(version)
        } else {
          groups.append((destination, [version]))
        }
      }
      let total = groups.reduce(0) { $0 + $1.versions.count }
      var done = 0
      for (destination, versions) in groups {
        let store = destination.trackingURI.description
        do throws(RegistrationError) {
          var reason = absent[store]
          if reason == nil {
            do throws(RegistrationError) {
              guard let registrar = try await registrar(for: destination, among: &registrars, options: options) else {
                skipped += versions.count
                done += versions.count
                continue
              }
              let outcomes = try await registrar.register(versions) { count in progress(done + count, total) }
              report.created += outcomes.filter(\.created).count
            } catch where UndeliveredRegistration.applies(to: error) || Destination.refuses(error) {
              reason = error
              absent[store] = error
            }
          }
          if let reason {
            // The store is absent, or refuses this environment: each version gets its ID now and
            // waits undelivered for a process that can deliver it.
            let registration = UndeliveredRegistration(
              repository: destination.worktree, trackingURI: destination.trackingURI,
              environment: destination.environment, options: destination.options(options))
            let outcomes = try await registration.keep(versions)
            report.kept += outcomes.filter(\.created).count
            report.problem = reason
            if Destination.refuses(reason) {
              log("\(versions.count) journaled versions wait undelivered for credentials of \(store): \(reason)", in: directory)
            }
          }
          done += versions.count
          progress(done, total)
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
        try journal.compact(threshold: Journal.compactionThreshold(environment))
      } catch {
        report.problem = RegistrationError(.localState(error))
        log("delivered journal entries could not be marked delivered (they are delivered again): \(error)", in: directory)
        return
      }
    }
  }

  /// The registrar of `destination`, opened once per delivery; `nil` when the experiment a
  /// hook's environment selected cannot be used (an ID the store does not have, an empty
  /// name): its entries are skipped, and why is logged.
  static func registrar(
    for destination: Destination, among registrars: inout [Destination: Registrar], options: RegistrationSettings
  ) async throws(RegistrationError) -> Registrar? {
    if let opened = registrars[destination] { return opened }
    let options = destination.options(options)
    let store = try await Registration.openStore(destination.trackingURI, options: options, repository: destination.worktree)
    do throws(RegistrationError) {
      let registrar = try await Registrar.open(
        repository: destination.worktree, trackingURI: destination.trackingURI, environment: destination.environment,
        options: options, store: store)
      registrars[destination] = registrar
      return registrar
    } catch where destination.isJournaled && Destination.cannotSelectExperiment(error) {
      log(
        "skipped the journaled states for \(destination.trackingURI) (\(destination.experimentKey)): \(error)",
        in: Registration.stateDirectory(of: destination.worktree))
      return nil
    }
  }

  /// Where the versions of journal entries go: a worktree (whose top holds the default
  /// `mlflow.db`), a store, an experiment, and how to connect.
  struct Destination: Hashable, Sendable {
    let worktree: GitRepository
    /// The store, with the credentials to connect with when the delivering environment has them.
    let trackingURI: TrackingURI
    /// The delivering environment, with the journaled target's variables in place of its own and
    /// without its credential variables when its store is another one.
    let environment: [String: String]
    /// `true` when a hook's environment chose it (a `v2` line), `false` for the delivering
    /// environment's own (a `v1` line).
    let isJournaled: Bool

    /// The experiment as ``environment`` selects it (the index's experiment key).
    var experimentKey: String { Registration.experimentKey(environment) }

    /// What tells destinations apart.
    var key: [String] { [worktree.workTree, trackingURI.description, experimentKey] }

    static func == (lhs: Destination, rhs: Destination) -> Bool { lhs.key == rhs.key }
    func hash(into hasher: inout Hasher) { hasher.combine(key) }

    /// The destination of `entry`, journaled in `worktree`, delivered from `environment`.
    ///
    /// - Throws: When the journaled store cannot be used (a URI mlflow-git cannot parse, a file
    ///   store) or the repository's setting cannot be read.
    init(of entry: Journal.Entry, worktree: GitRepository, environment: [String: String]) throws(RegistrationError) {
      self.worktree = worktree
      guard let target = entry.target else {
        trackingURI = try Registration.trackingURI(of: worktree, environment: environment)
        self.environment = environment
        isJournaled = false
        return
      }
      // Git runs hooks at the top of the worktree: a relative URI is relative to it.
      let journaled = try Registration.trackingURI(
        of: worktree, environment: target.applied(to: environment), workingDirectory: worktree.workTree)
      if case .fileStore(let path) = journaled {
        throw RegistrationError(
          .store(
            MLflowStoreError(
              code: .invalidConfiguration,
              message: "the hook's environment named MLflow's file store at \(path), which mlflow-git does not write")))
      }
      let connection = Registration.connection(to: journaled, repository: worktree, environment: environment)
      trackingURI = connection.uri
      self.environment = target.applied(to: connection.environment)
      isJournaled = true
    }

    /// `options` with this destination's environment.
    func options(_ options: RegistrationSettings) -> RegistrationSettings {
      var options = options
      options.environment = environment
      return options
    }

    /// `true` when `error` is about the tracking URI (one mlflow-git cannot use), not about
    /// reading the repository's setting.
    static func isStoreSetting(_ error: RegistrationError) -> Bool {
      if case .store = error.source { return true }
      return false
    }

    /// `true` when the store refused the credentials this environment has for it (none, say).
    static func refuses(_ error: RegistrationError) -> Bool {
      guard case .store(let storeError) = error.source else { return false }
      return storeError.code == .unauthenticated || storeError.code == .permissionDenied
    }

    /// `true` when the experiment the environment selects cannot be used: an ID the store does
    /// not have, an empty name, a name that cannot be created.
    static func cannotSelectExperiment(_ error: RegistrationError) -> Bool {
      guard case .store(let storeError) = error.source else { return false }
      return storeError.code == .invalidConfiguration
    }
  }

  /// The worktree whose hook journaled `entry`: the one with that Git directory, found through
  /// the `gitdir` file a linked worktree's Git directory keeps.
  static func worktree(of entry: Journal.Entry, in repository: GitRepository) -> GitRepository {
    if entry.gitDirectory == repository.gitDirectory { return repository }
    var workTree: String?
    if let pointer = PrivateFiles.contents(entry.gitDirectory + "/gitdir") {
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
    let path = StateFolder(path: directory).workerLog
    if let size = PrivateFiles.size(of: path), size >= workerLogLimit { rename(path, path + ".1") }
    try? PrivateFiles.append(Array("\(time.tv_sec) \(message)\n".utf8), to: path)
  }

  /// The size past which `worker.log` is rotated.
  static let workerLogLimit = 256 * 1024

  /// Appends `message` to the background worker's log of `repository` (`mlflow-git/worker.log`),
  /// for what a background run cannot print.
  static func log(_ message: String, in repository: GitRepository) {
    log(message, in: Registration.stateDirectory(of: repository))
  }
}

/// A state the hooks journaled that has not been delivered to the store yet.
package struct PendingVersion: Sendable, Hashable {
  /// The hook that saw it.
  package var event: String
  /// The branch; `nil` for detached `HEAD` (such entries are skipped at delivery).
  package var branch: String?
  /// The commit, when the hook could read it.
  package var commit: String?
}

extension JournalDelivery {
  /// The journaled states of `repository` not delivered yet, oldest first.
  package static func pending(in repository: GitRepository) -> [PendingVersion] {
    let journal = Journal(stateDirectory: Registration.stateDirectory(of: repository))
    guard let batch = try? journal.pending() else { return [] }
    return batch.entries.map { PendingVersion(event: $0.event, branch: $0.branch, commit: $0.commit) }
  }
}

extension JournalDelivery {
  /// Journals past commits of `branch` for delivery (what `mlflow-git backfill` registers), to
  /// the store and experiment `environment` selects, as a hook would.
  package static func journal(
    commits: [String], branch: String, in repository: GitRepository,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(RegistrationError) {
    let journal = Journal(stateDirectory: Registration.stateDirectory(of: repository))
    let target = Journal.Target(environment: environment)
    do {
      try Registration.createStateDirectory(Registration.stateDirectory(of: repository))
      try journal.append(
        commits.map {
          Journal.Entry(
            event: "backfill", head: "ref: refs/heads/" + branch, commit: $0, target: target,
            gitDirectory: repository.gitDirectory)
        })
    } catch {
      throw RegistrationError(.localState(error))
    }
  }
}
