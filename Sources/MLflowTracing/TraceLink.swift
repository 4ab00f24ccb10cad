import GitVersioning
import MLflowStore

/// Whether a trace can go to its store now, and with which model ID: a trace of a version that
/// waits undelivered with a provisional ID (its tracking server was unreachable) is held until
/// the version is delivered, then re-linked to the ID the server gave it.
enum TraceLink: Equatable {
  /// Send it, linked to this model ID (`nil`: unlinked, or unchanged).
  case send(modelID: String?)
  /// Keep it journaled: its version's final ID is not known yet.
  case hold

  /// The links of many traces, looked up once per model ID (a lookup reads the repository's
  /// state files).
  struct Cache {
    let stateDirectory: String?
    private var links: [String: TraceLink] = [:]

    init(stateDirectory: String?) { self.stateDirectory = stateDirectory }

    /// `trace`, re-linked if its model ID changed at delivery; `nil` when it must wait.
    mutating func linked(_ trace: Trace) -> Trace? {
      guard let modelID = trace.info.metadata[TraceInfo.modelIDKey] else { return trace }
      let link = links[modelID] ?? TraceLink.of(trace, stateDirectory: stateDirectory)
      links[modelID] = link
      return TraceLink.linked(trace, by: link)
    }
  }

  /// The link of `trace`, whose version's repository keeps its state in `stateDirectory`.
  static func of(_ trace: Trace, stateDirectory: String?) -> TraceLink {
    guard let modelID = trace.info.metadata[TraceInfo.modelIDKey], let stateDirectory else {
      return .send(modelID: nil)
    }
    switch ActiveModel.traceLinking(of: modelID, stateDirectory: stateDirectory) {
    case .asIs: return .send(modelID: nil)
    case .hold: return .hold
    case .relink(let final): return .send(modelID: final)
    }
  }

  /// `trace`, re-linked if its model ID changed at delivery; `nil` when it must wait.
  static func linked(_ trace: Trace, stateDirectory: String?) -> Trace? {
    linked(trace, by: of(trace, stateDirectory: stateDirectory))
  }

  /// `trace` as `link` says: re-linked, unchanged, or `nil` when it must wait.
  static func linked(_ trace: Trace, by link: TraceLink) -> Trace? {
    switch link {
    case .hold: return nil
    case .send(nil): return trace
    case .send(let final?):
      var relinked = trace
      relinked.info.metadata[TraceInfo.modelIDKey] = final
      return relinked
    }
  }
}
