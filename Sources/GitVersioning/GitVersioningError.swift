public import GitState
import LocalFiles
public import MLflowStore
import VersionRegistration

/// Why git model versioning could not resolve the current version.
public struct GitVersioningError: Error, Sendable, CustomStringConvertible {
  /// Where it failed.
  public enum Source: Sendable {
    /// Reading the Git state (not a repository, detached, no commits, git missing …).
    case git(GitStateError)
    /// The MLflow tracking store (not created yet, unsupported URI, busy, …).
    case store(MLflowStoreError)
    /// mlflow-git's local state files in the Git directory.
    case localState(LocalStateError)
  }

  /// Where it failed, with the underlying error.
  public let source: Source

  /// An error from `source`.
  public init(_ source: Source) { self.source = source }

  /// The runtime's error for what the registration half reported.
  init(_ error: RegistrationError) {
    switch error.source {
    case .git(let error): self.init(.git(error))
    case .store(let error): self.init(.store(error))
    case .localState(let error): self.init(.localState(LocalStateError(error)))
    }
  }

  /// What happened and what to do: the underlying error's description.
  public var description: String {
    switch source {
    case .git(let error): error.description
    case .store(let error): error.description
    case .localState(let error): error.description
    }
  }
}

/// A state file of mlflow-git (its index, locks, undelivered versions, in the repository's Git
/// directory) could not be read, written or locked.
public struct LocalStateError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The file or folder concerned.
  public let path: String
  /// What was being done, e.g. `"create"`, `"lock"`, `"write"`.
  public let operation: String
  /// The system error number.
  public let errno: Int32
  /// What happened and what to do, e.g. `could not lock '…/register.lock': Permission denied; check that you own it …`.
  public let description: String

  init(_ error: LocalFileError) {
    path = error.path
    operation = error.operation
    errno = error.errno
    description = error.description
  }
}
