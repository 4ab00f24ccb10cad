/// Builds artifact locations as MLflow's `append_to_uri_path` does: path segments are appended
/// to the path of a plain path or URI, before any `?query`.
enum ArtifactPath {
  static func appending(_ segments: [String], to base: String) -> String {
    Location(base).appending(segments)
  }

  /// A base location read once, to append to many times.
  struct Location: Sendable {
    private let path: String
    private let query: String

    init(_ base: String) {
      var path = base
      var query = ""
      if base.contains("://"), let mark = base.firstIndex(of: "?") {
        path = String(base[..<mark])
        query = String(base[mark...])
      }
      while path.hasSuffix("/") && path.count > 1 { path.removeLast() }
      self.path = path.hasSuffix("/") ? path : path + "/"
      self.query = query
    }

    func appending(_ segments: [String]) -> String {
      path + segments.joined(separator: "/") + query
    }
  }
}
