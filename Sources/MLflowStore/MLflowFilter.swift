/// MLflow search filter strings, for stores that search through MLflow's REST API.
///
/// MLflow's filter grammar has no escape mechanism: a value is written between single quotes
/// and MLflow strips them, so a value containing `'` cannot be matched, and a value ending in
/// `\` breaks the parse of the clauses after it. This refuses such values instead of producing
/// a filter that fails or matches the wrong models. (``SQLiteTrackingStore`` searches with SQL
/// parameters and matches every value exactly.)
///
/// # Usage
/// ```swift
/// let filter = try MLflowFilter.tagsEqual([
///   ("mlflow.source.git.branch", "main"),
///   ("mlflow.source.git.dirty", "false"),
/// ])
/// // tags.`mlflow.source.git.branch` = 'main' AND tags.`mlflow.source.git.dirty` = 'false'
/// ```
package enum MLflowFilter {
  /// The filter matching models whose tags have exactly these values, clauses in the given
  /// order (Python's git versioning orders them branch, commit, dirty, repoURL).
  ///
  /// - Parameter tags: Key and value pairs; an empty list gives an empty filter.
  /// - Returns: `` tags.`key` = 'value' `` clauses joined with ` AND `.
  /// - Throws: `.invalidArgument` naming the tag, when a value contains `'` or ends with `\`, or
  ///   a key is empty or contains a backtick.
  package static func tagsEqual(_ tags: [(key: String, value: String)]) throws(MLflowStoreError) -> String {
    var clauses: [String] = []
    for (key, value) in tags {
      guard !key.isEmpty, !key.contains("`") else {
        throw MLflowStoreError(
          code: .invalidArgument,
          message: "the tag key '\(key)' cannot be written in an MLflow filter (empty, or contains a "
            + "backtick); search with an exact store lookup instead")
      }
      if value.contains("'") {
        throw MLflowStoreError(
          code: .invalidArgument,
          message: "the value of tag '\(key)' (\(value)) contains a single quote, which MLflow's filter "
            + "strings cannot quote; search with an exact store lookup instead")
      }
      if value.hasSuffix("\\") {
        throw MLflowStoreError(
          code: .invalidArgument,
          message: "the value of tag '\(key)' (\(value)) ends with a backslash, which MLflow's filter "
            + "parser reads as an escaped quote; search with an exact store lookup instead")
      }
      clauses.append("tags.`\(key)` = '\(value)'")
    }
    return clauses.joined(separator: " AND ")
  }
}
