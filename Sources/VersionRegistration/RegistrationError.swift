package import GitState
package import LocalFiles
package import MLflowStore

/// Why a version could not be registered, delivered or listed.
package struct RegistrationError: Error, Sendable, CustomStringConvertible {
  /// Where it failed.
  package enum Source: Sendable {
    /// Reading the Git state (not a repository, detached, no commits, git missing …).
    case git(GitStateError)
    /// The MLflow tracking store (not created yet, unsupported URI, busy, …).
    case store(MLflowStoreError)
    /// mlflow-git's local state files in the Git directory.
    case localState(LocalFileError)
  }

  /// Where it failed, with the underlying error.
  package let source: Source

  package init(_ source: Source) { self.source = source }

  package var description: String {
    switch source {
    case .git(let error): error.description
    case .store(let error): error.description
    case .localState(let error): error.description
    }
  }
}
