/// Builds artifact locations as MLflow's `append_to_uri_path` does: path segments are appended
/// to the path of a plain path or URI, before any `?query`.
enum ArtifactPath {
  static func appending(_ segments: [String], to base: String) -> String {
    var path = base
    var query = ""
    if base.contains("://"), let mark = base.firstIndex(of: "?") {
      path = String(base[..<mark])
      query = String(base[mark...])
    }
    while path.hasSuffix("/") && path.count > 1 { path.removeLast() }
    let separator = path.hasSuffix("/") ? "" : "/"
    return path + separator + segments.joined(separator: "/") + query
  }
}
