import GitState
import LocalFiles
import Synchronization
import VersionRegistration
#if canImport(Glibc)
import Glibc
#endif

/// Turns on Git-based versioning for this process, like Python's
/// `mlflow.genai.enable_git_model_versioning()`: finds (or creates) the LoggedModel for the
/// current Git state and makes it the active model that traces link to.
///
/// A start whose version the hooks already registered reads the Git state in-process (the Git
/// index and `lstat`, no `git status`) and the local index, and makes no store request. The
/// diff is computed only when the tree is dirty. When the store is absent (no `mlflow.db` and
/// no `mlflow` to create it, or a tracking server down), the version still gets its model ID
/// at once and is kept undelivered (see ``UndeliveredVersion``); undelivered versions are
/// delivered in the background once their store is there. It never throws: outside a repository, with no commits yet, detached without
/// a CI branch variable, or with the store failing otherwise (a wrong setting, a locked
/// database), it prints one warning, returns a context whose `info` and `activeModel` are `nil`
/// (``GitVersioningContext/problem`` says why), and the app keeps running. Unlike Python, a
/// failure leaves the previous context in place. When mlflow-git was installed in the
/// repository but a hook manager has since removed its hooks, the first start of the process
/// warns, in one line, and says how to restore them (a check of a few small files, made once
/// per process).
///
/// # Usage
/// ```swift
/// let context = await enableGitModelVersioning()
/// print(context.info?.branch ?? "-", context.activeModel?.modelID ?? "not versioned")
/// ```
///
/// - Parameters:
///   - remoteName: The remote whose URL identifies the repository (MLflow's default: `origin`).
///   - options: Where to look, how dirty trees become versions, diff exclusions, …
/// - Returns: The context, which also becomes the process-wide one.
@discardableResult
public func enableGitModelVersioning(
  remoteName: String = "origin",
  options: GitVersioningOptions = GitVersioningOptions()
) async -> GitVersioningContext {
  let context = await resolveContext(remoteName: remoteName, options: options)
  guard context.activeModel != nil else { return context }
  ActiveState.global.withLock { $0 = context }
  return context
}

/// Runs `body` with Git versioning on for the current task and its child tasks only; when
/// `body` returns, what was active before is active again. Concurrent scopes do not see each
/// other's model.
///
/// # Usage
/// ```swift
/// let answer = try await withGitModelVersioning { context in
///   try await agent.answer(question)   // traces link to context.activeModel
/// }
/// print(answer)
/// ```
///
/// - Parameter isolation: The actor `body` runs on: the caller's (`#isolation`), so a
///   `@MainActor` caller's closure runs on the main actor with no hop, and may use its
///   non-`Sendable` state.
public func withGitModelVersioning<Result>(
  remoteName: String = "origin",
  options: GitVersioningOptions = GitVersioningOptions(),
  isolation: isolated (any Actor)? = #isolation,
  _ body: (GitVersioningContext) async throws -> Result
) async rethrows -> Result {
  let context = await resolveContext(remoteName: remoteName, options: options)
  return try await ActiveState.$scoped.withValue(.set(context)) {
    try await body(context)
  }
}

/// Turns process-wide Git versioning off: no model is active any more (outside
/// ``withGitModelVersioning`` scopes, which end with their closures).
public func disableGitModelVersioning() {
  ActiveState.global.withLock { $0 = nil }
}

/// Resolves the version for a context, warning once on failure, and starts the background
/// check of an indexed model when asked to, and the delivery of versions kept undelivered.
func resolveContext(remoteName: String, options: GitVersioningOptions) async -> GitVersioningContext {
  do {
    let resolution = try await VersionResolution.resolve(remoteName: remoteName, options: options)
    HooksNotice.sayOnce(commonDirectory: resolution.repository.commonDirectory)
    let context = GitVersioningContext(
      info: resolution.version, activeModel: resolution.activeModel, problem: nil,
      foundInIndex: resolution.foundInIndex,
      stateDirectory: Registration.stateDirectory(of: resolution.repository))
    let delivers = Registration.hasUndelivered(in: resolution.repository)
    let heals = resolution.foundInIndex && resolution.isDelivered && options.indexVerification == .background
    if delivers || heals {
      Task.detached(priority: .utility) {
        if delivers { await deliverInBackground(resolution, replacing: context) }
        if heals { await healInBackground(resolution, replacing: context) }
      }
    }
    return context
  } catch {
    warn("Git model versioning is disabled: \(error)")
    return GitVersioningContext(info: nil, activeModel: nil, problem: error, foundInIndex: false)
  }
}

/// Verifies an indexed model; when MLflow no longer has it, the version gets its model back
/// and, if the stale context is still the process-wide one, the fresh one replaces it.
func healInBackground(_ resolution: VersionResolution, replacing stale: GitVersioningContext) async {
  guard let fresh = try? await resolution.verified(), fresh.modelID != resolution.modelID else { return }
  let healed = GitVersioningContext(
    info: fresh.version, activeModel: fresh.activeModel, problem: nil, foundInIndex: false,
    stateDirectory: stale.stateDirectory)
  ActiveState.global.withLock { current in
    if current?.activeModel == stale.activeModel { current = healed }
  }
}

/// Delivers the repository's undelivered versions whose stores are there now; when the
/// context's provisional model was among them and the stale context is still the process-wide
/// one, the final ID replaces it.
func deliverInBackground(_ resolution: VersionResolution, replacing stale: GitVersioningContext) async {
  await Registration.deliverUndelivered(in: resolution.repository, settings: resolution.options.settings)
  guard resolution.isProvisional,
    let final = ModelIDMapping.finalID(for: resolution.modelID, in: resolution.repository)
  else { return }
  var model = resolution.activeModel
  model.modelID = final
  let delivered = GitVersioningContext(
    info: resolution.version, activeModel: model, problem: nil, foundInIndex: stale.foundInIndex,
    stateDirectory: stale.stateDirectory)
  ActiveState.global.withLock { current in
    if current?.activeModel == stale.activeModel { current = delivered }
  }
}
