import VersionRegistration

extension ActiveModel {
  /// How a trace linked to a model may go to the model's store: a model whose version waits
  /// undelivered with a provisional ID (its tracking server was unreachable) gets its final ID
  /// at delivery, and its traces wait for it.
  package enum TraceLinking: Sendable, Hashable {
    /// Send the trace as it is: the model is, or will be, in its store under its ID.
    case asIs
    /// Keep the trace: its model's final ID is not known yet.
    case hold
    /// Send the trace linked to this ID, which the provisional one was delivered as.
    case relink(to: String)
  }

  /// How traces of the model `modelID` go to its store, from the state folder of the
  /// model's repository.
  package static func traceLinking(of modelID: String, stateDirectory: String) -> TraceLinking {
    switch ModelIDMapping.status(of: modelID, stateDirectory: stateDirectory) {
    case .final, .undelivered(provisional: false): .asIs
    case .undelivered(provisional: true): .hold
    case .mapped(let final): .relink(to: final)
    }
  }
}
