package import GitState
import MLflowServerStore
import MLflowStore
import VersionRegistration

/// One side of a version comparison (`mlflow-git compare`): the version a reference names, its
/// Git state, and the model that stands for it.
///
/// A reference is a branch or commit (that commit's clean version on that branch), a version
/// name (`main-93be08f`, `main-93be08f-dirty-3a2c1b`, or a name Python gave), or a model ID.
/// A state that has no version yet is registered first, as `mlflow-git status` registers the
/// current one (or given its model ID and kept undelivered while the store is absent).
///
/// # Usage
/// ```swift
/// let opened = try await RepositoryStore.open(options: options.settings)
/// let base = try await ComparedVersion.resolve(.mergeBase, in: opened.repository, store: opened, options: options)
/// let head = try await ComparedVersion.resolve(.currentState, in: opened.repository, store: opened, options: options)
/// print(base.name, "→", head.name)
/// ```
package struct ComparedVersion: Sendable {
  /// How a side is named.
  package enum Reference: Sendable, Hashable, CustomStringConvertible {
    /// What the user typed: a branch, commit, version name or model ID.
    case argument(String)
    /// The version of the merge base of `HEAD` with the default branch (the remote's `HEAD`
    /// branch, else `main`, else `master`), on the default branch.
    case mergeBase
    /// The current state of the work tree, uncommitted changes included.
    case currentState

    package var description: String {
      switch self {
      case .argument(let text): text
      case .mergeBase: "merge base with the default branch"
      case .currentState: "current state"
      }
    }
  }

  /// How the side was named.
  package var reference: Reference
  /// The Git state; for a dirty version, ``GitVersion/diff`` is its recorded diff.
  package var version: GitVersion
  /// The model's ID; `nil` when the store cannot be read to find or create the model.
  package var modelID: String?
  /// The model's name in MLflow (`main-93be08f`, or a name Python gave).
  package var name: String
  /// The model's experiment; `nil` while undelivered under an experiment name.
  package var experimentID: String?
  /// `true` when this resolution created the version.
  package var registeredNow: Bool
  /// `false` while the version waits undelivered for its store (it has no traces there yet).
  package var isDelivered: Bool

  /// Resolves `reference` in `repository`.
  ///
  /// - Parameters:
  ///   - opened: The repository's store, or `nil` when it cannot be opened; then only
  ///     references `git` can answer (branches, commits, the defaults) resolve, kept
  ///     undelivered as the store is absent.
  ///   - remoteName: The remote whose URL identifies the repository's versions, and whose
  ///     `HEAD` names the default branch.
  /// - Throws: ``VersionReferenceError`` for a reference that names nothing (or a version in
  ///   another store); ``GitVersioningError`` when Git, the store or local state fails.
  package static func resolve(
    _ reference: Reference, in repository: GitRepository, store opened: RepositoryStore?,
    remoteName: String = "origin", options: GitVersioningOptions = GitVersioningOptions()
  ) async throws -> ComparedVersion {
    let lookup = Lookup(
      repository: repository, opened: opened, remoteName: remoteName, options: options, reference: reference)
    switch reference {
    case .currentState:
      return try await lookup.registered(
        try VersionResolution.currentVersion(of: repository, remoteName: remoteName, options: options))
    case .mergeBase:
      return try await lookup.mergeBase()
    case .argument(let text):
      return try await lookup.argument(text)
    }
  }
}

/// Why a comparison's version reference could not be resolved.
package struct VersionReferenceError: Error, Sendable, CustomStringConvertible {
  package let description: String
  package init(_ description: String) { self.description = description }
}

/// The work of ``ComparedVersion/resolve(_:in:store:remoteName:options:)``.
private struct Lookup {
  let repository: GitRepository
  let opened: RepositoryStore?
  let remoteName: String
  let options: GitVersioningOptions
  let reference: ComparedVersion.Reference

  func argument(_ text: String) async throws -> ComparedVersion {
    if Self.isModelID(text) { return try await modelWithID(text) }
    if let commit = try gitAnswer({ try repository.commitID(of: text) }) {
      return try await gitReference(text, commit: commit)
    }
    if let model = try await model(named: text) { return try stored(model) }
    throw VersionReferenceError(
      "'\(text)' is not a branch, commit, version name or model ID of this repository"
        + (opened == nil ? " (the store is not available to look up version names)" : "")
        + "; `mlflow-git versions` lists the versions")
  }

  /// The merge base of `HEAD` and the default branch, as a clean version of the default branch.
  func mergeBase() async throws -> ComparedVersion {
    let found = try gitAnswer { () throws -> (branch: (name: String, ref: String)?, base: String?) in
      guard let branch = try repository.defaultBranch(remoteName: remoteName) else { return (nil, nil) }
      guard let head = try repository.head().commit else { return (branch, nil) }
      return (branch, try repository.mergeBase(head, branch.ref))
    }
    guard let branch = found.branch else {
      throw VersionReferenceError(
        "this repository has no default branch (no \(remoteName)/HEAD, main or master) to compare with; "
          + "name both versions: mlflow-git compare A B")
    }
    guard let base = found.base else {
      throw VersionReferenceError(
        "HEAD and \(branch.name) have no commit in common; name both versions: mlflow-git compare A B")
    }
    return try await registered(GitVersion(branch: branch.name, commit: base, repoURL: try repoURL()))
  }

  /// A branch (local, or `<remote>/<branch>`) or another revision (a tag, a commit ID, `HEAD~2`).
  private func gitReference(_ text: String, commit: String) async throws -> ComparedVersion {
    let repoURL = try repoURL()
    var branch: String?
    if try gitAnswer({ try repository.commit(ofBranch: text) }) != nil {
      branch = text
    } else if text.hasPrefix(remoteName + "/"), try gitAnswer({ try repository.commitID(of: "refs/remotes/" + text) }) == commit {
      branch = String(text.dropFirst(remoteName.count + 1))
    }
    if branch == nil {
      let preferred = try gitAnswer { () throws -> [String] in
        [try repository.head().branch, try repository.defaultBranch(remoteName: remoteName)?.name].compactMap { $0 }
      }
      // A commit: a clean version of it already stored, else the branch it is on.
      if let model = try await storedCleanVersion(of: commit, repoURL: repoURL, preferring: preferred) {
        return try stored(model)
      }
      let containing = try gitAnswer { try repository.branches(containing: commit) }
      branch = preferred.first(where: containing.contains) ?? containing.first
    }
    guard let branch else {
      throw VersionReferenceError(
        "commit \(commit.prefix(12)) ('\(text)') is on no local branch, so it has no version; "
          + "check out a branch that contains it")
    }
    return try await registered(GitVersion(branch: branch, commit: commit, repoURL: repoURL))
  }

  private func modelWithID(_ given: String) async throws -> ComparedVersion {
    let modelID = ModelIDMapping.finalID(for: given, in: repository) ?? given
    if let version = UndeliveredVersion.find(modelID, in: repository) {
      return ComparedVersion(
        reference: reference,
        version: GitVersion(
          branch: version.branch, commit: version.commit, isDirty: version.isDirty, repoURL: version.repoURL,
          diff: version.completeDiff(in: repository)),
        modelID: modelID, name: version.name, experimentID: version.experimentID, registeredNow: false,
        isDelivered: false)
    }
    let opened = try storeNeeded(for: given)
    do {
      return try stored(try await opened.store.loggedModel(id: modelID))
    } catch let error as MLflowStoreError where error.code == .modelNotFound {
      let index = VersionIndex(stateDirectory: Registration.stateDirectory(of: repository))
      if let elsewhere = index.entries().first(where: { $0.modelID == modelID && $0.key.store != opened.trackingURI.description }) {
        throw VersionReferenceError(
          "\(given) is a version in \(TrackingURI.redacted(elsewhere.key.store)), not in this comparison's store "
            + "\(opened.trackingURI.description); set MLFLOW_TRACKING_URI to compare versions of that store")
      }
      throw VersionReferenceError(
        "no version \(given) in \(opened.trackingURI.description); `mlflow-git versions` lists them")
    } catch let error as MLflowStoreError {
      throw GitVersioningError(.store(error))
    }
  }

  /// The model named `name` among this repository's versions: the versions of the commit a
  /// `<branch>-<commit7>[-dirty-<digest6>]` name gives first, else every version of the repository.
  private func model(named name: String) async throws -> LoggedModel? {
    guard let opened else { return nil }
    let parts = name.split(separator: "-").map(String.init)
    let commitPart = parts.count >= 4 && parts[parts.count - 2] == "dirty" ? parts[parts.count - 3] : parts.last ?? ""
    var searches: [[String: String]] = []
    if parts.count >= 2, commitPart.count == 7, let commit = try gitAnswer({ try repository.commitID(of: commitPart) }) {
      searches.append([VersionTagKey.commit: commit])
    }
    searches.append(try repoURL().map { [VersionTagKey.repoURL: $0] } ?? [:])
    for tags in searches {
      var search = LoggedModelSearch(experimentIDs: [opened.experiment.experimentID], tags: tags, maxResults: 100)
      while true {
        let page = try await storeAnswer { try await opened.store.searchLoggedModels(search) }
        if let model = page.models.first(where: { $0.name == name }) { return model }
        guard let token = page.nextPageToken else { break }
        search.pageToken = token
      }
    }
    return nil
  }

  /// The newest clean version of `commit` in the store, on one of the `preferred` branches
  /// when there is one.
  private func storedCleanVersion(of commit: String, repoURL: String?, preferring preferred: [String]) async throws
    -> LoggedModel?
  {
    guard let opened else { return nil }
    var tags = [VersionTagKey.commit: commit, VersionTagKey.dirty: "false"]
    if let repoURL { tags[VersionTagKey.repoURL] = repoURL }
    let search = LoggedModelSearch(
      experimentIDs: [opened.experiment.experimentID], tags: tags, selectiveTagKey: VersionTagKey.commit,
      maxResults: 100)
    let models = try await storeAnswer { try await opened.store.searchLoggedModels(search) }.models
    for branch in preferred {
      if let model = models.first(where: { $0.tags[VersionTagKey.branch] == branch }) { return model }
    }
    return models.first
  }

  /// The side for `version`, found or registered as `VersionResolution` does and named as the
  /// store names its model; without a model when the store was not available and cannot be
  /// read now either.
  func registered(_ version: GitVersion) async throws -> ComparedVersion {
    let resolution: VersionResolution
    do {
      resolution = try await VersionResolution.resolve(version, in: repository, options: options)
    } catch {
      guard opened == nil, case .store = error.source else { throw error }
      return ComparedVersion(
        reference: reference, version: version, modelID: nil, name: version.displayName, experimentID: nil,
        registeredNow: false, isDelivered: false)
    }
    var side = ComparedVersion(
      reference: reference, version: resolution.version, modelID: resolution.modelID,
      name: resolution.version.displayName, experimentID: resolution.experimentID,
      registeredNow: resolution.created, isDelivered: resolution.isDelivered)
    if resolution.isDelivered, let opened {
      let model = try await storeAnswer {
        try await opened.store.loggedModel(id: resolution.modelID)
      }
      side.name = model.name
      side.experimentID = model.experimentID
    }
    return side
  }

  /// The side for a model found in the store; its Git state comes from its tags.
  private func stored(_ model: LoggedModel) throws -> ComparedVersion {
    guard let branch = model.tags[VersionTagKey.branch], let commit = model.tags[VersionTagKey.commit] else {
      throw VersionReferenceError(
        "\(model.modelID) (\(model.name)) is not a Git version: it has no \(VersionTagKey.branch) and "
          + "\(VersionTagKey.commit) tags")
    }
    let isDirty = model.tags[VersionTagKey.dirty] == "true"
    let diff = isDirty ? try opened?.completeDiff(of: model) : nil
    return ComparedVersion(
      reference: reference,
      version: GitVersion(
        branch: branch, commit: commit, isDirty: isDirty, repoURL: model.tags[VersionTagKey.repoURL], diff: diff),
      modelID: model.modelID, name: model.name, experimentID: model.experimentID, registeredNow: false,
      isDelivered: true)
  }

  private func storeNeeded(for text: String) throws -> RepositoryStore {
    guard let opened else {
      throw VersionReferenceError("\(text) names a version in the store, which is not available")
    }
    return opened
  }

  private func repoURL() throws -> String? {
    try gitAnswer { try repository.remoteURL(named: remoteName)?.withoutCredentials }
  }

  static func isModelID(_ text: String) -> Bool {
    text.hasPrefix("m-") && text.utf8.count == 34
      && text.utf8.dropFirst(2).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }
}

/// `body`'s value, with a Git failure as a ``GitVersioningError``.
private func gitAnswer<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as GitStateError {
    throw GitVersioningError(.git(error))
  }
}

/// `body`'s value, with a store failure as a ``GitVersioningError``.
private func storeAnswer<T>(_ body: () async throws -> T) async throws -> T {
  do {
    return try await body()
  } catch let error as MLflowStoreError {
    throw GitVersioningError(.store(error))
  }
}
