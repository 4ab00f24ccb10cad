public import MLflowStore

/// Why a trace query failed.
public struct TracingError: Error, Sendable, CustomStringConvertible {
  /// What went wrong.
  public enum Reason: Sendable {
    /// No model ID was given and no Git version is active.
    case noActiveVersion
    /// The tracking store refused or could not be reached.
    case store(MLflowStoreError)
  }

  /// What went wrong, with the underlying error.
  public let reason: Reason

  /// An error for `reason`.
  public init(_ reason: Reason) { self.reason = reason }

  /// What happened and what to do.
  public var description: String {
    switch reason {
    case .noActiveVersion:
      "no Git version is active: call enableGitModelVersioning() first, or pass the model ID"
    case .store(let error): error.description
    }
  }
}
