import GitState
package import GitVersioning
import MLflowServerStore
import MLflowStore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension VersionComparison {
  /// Resolves both versions (registering a state that has none yet), reads the code changes
  /// from `git` and each version's trace statistics from the store.
  ///
  /// When the store is not available, the comparison still has both versions' Git states and
  /// the code changes; ``storeProblem`` says why there is no behaviour.
  ///
  /// - Parameters:
  ///   - a: The version compared from; by default the merge base with the default branch.
  ///   - b: The version compared to; by default the current state, uncommitted changes included.
  ///   - window: Which traces count.
  ///   - remoteName: The remote whose URL identifies the versions and whose `HEAD` names the
  ///     default branch.
  ///   - commitLimit: The most commits listed between the two (all are counted).
  /// - Throws: ``VersionReferenceError`` for a reference that names no version;
  ///   ``GitVersioningError`` when the repository cannot be read.
  package static func make(
    a: ComparedVersion.Reference = .mergeBase, b: ComparedVersion.Reference = .currentState,
    window: TraceWindow = TraceWindow(), remoteName: String = "origin", commitLimit: Int = 20,
    options: GitVersioningOptions = GitVersioningOptions()
  ) async throws -> VersionComparison {
    let repository: GitRepository
    do {
      repository = try GitRepository.discover(from: options.directory, environment: options.environment)
    } catch {
      throw GitVersioningError(.git(error))
    }
    var storeProblem: String?
    var opened: RepositoryStore?
    do {
      opened = try await RepositoryStore.open(options: options.settings)
    } catch {
      storeProblem = error.description
    }
    let sideA = try await ComparedVersion.resolve(a, in: repository, store: opened, remoteName: remoteName, options: options)
    let sideB = try await ComparedVersion.resolve(b, in: repository, store: opened, remoteName: remoteName, options: options)
    let environment = options.environment ?? ProcessInfo.processInfo.environment
    let trackingURI = opened?.trackingURI ?? Registration.trackingURI(forDirectory: repository.workTree, environment: environment)

    var notes: [String] = []
    for (label, side) in [("A", sideA), ("B", sideB)] {
      if side.registeredNow { notes.append("\(label) (\(side.name)) had no version yet: registered now, so it has no traces") }
      if !side.isDelivered && side.modelID != nil {
        notes.append("\(label) (\(side.name)) is not in the store yet (undelivered), so it has no traces there")
      }
    }
    if let experimentA = sideA.experimentID, let experimentB = sideB.experimentID, experimentA != experimentB {
      notes.append(
        "A is in experiment \(experimentA) and B in experiment \(experimentB): each side's traces are read from its own")
    }
    let code = codeChanges(sideA, sideB, in: repository, commitLimit: commitLimit, notes: &notes)

    var behaviour: (a: TraceStatistics?, b: TraceStatistics?) = (nil, nil)
    if let opened, let source = opened.store as? any TraceStatisticsStore {
      // A version not in the store yet has no traces there to read.
      let queries = [sideA, sideB].filter(\.isDelivered).compactMap { side in
        side.modelID.map { modelID in
          TraceStatisticsQuery(
            experimentID: side.experimentID ?? opened.experiment.experimentID, modelID: modelID,
            since: window.since, until: window.until)
        }
      }
      do {
        let statistics = try await source.traceStatistics(queries)
        var found = statistics.makeIterator()
        behaviour = (sideA.isDelivered ? found.next() : nil, sideB.isDelivered ? found.next() : nil)
      } catch {
        storeProblem = error.description
      }
    }
    return VersionComparison(
      a: sideA, b: sideB, trackingURI: trackingURI?.description ?? "-", window: window, code: code,
      behaviour: behaviour, notes: notes, storeProblem: storeProblem)
  }

  /// The commits and files between the two commits, and each dirty side's recorded diff; `nil`
  /// (with a note) when a commit is not in this clone.
  private static func codeChanges(
    _ a: ComparedVersion, _ b: ComparedVersion, in repository: GitRepository, commitLimit: Int, notes: inout [String]
  ) -> CodeChanges? {
    do {
      for (label, side) in [("A", a), ("B", b)] where try repository.commitID(of: side.version.commit) == nil {
        notes.append(
          "\(label)'s commit \(side.version.commit.prefix(12)) is not in this clone; fetch it to see the code changes")
        return nil
      }
      return CodeChanges(
        revisions: try repository.comparison(from: a.version.commit, to: b.version.commit, commitLimit: commitLimit),
        uncommittedA: UncommittedChanges(a.version), uncommittedB: UncommittedChanges(b.version))
    } catch {
      notes.append("the code changes cannot be read from git: \(error)")
      return nil
    }
  }
}
