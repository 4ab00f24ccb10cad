/// A search for logged models: which experiments, which exact tag values, in what order, and
/// which page.
///
/// Deleted models are never returned. Matching is exact for every value, including values
/// MLflow's filter strings cannot express (a `'` in a branch name).
///
/// # Usage
/// ```swift
/// var search = LoggedModelSearch(experimentIDs: ["0"], tags: gitTags)
/// search.selectiveTagKey = "mlflow.source.git.commit"
/// search.maxResults = 1
/// let newest = try await store.searchLoggedModels(search).models.first
/// ```
public struct LoggedModelSearch: Sendable, Hashable {
  /// A field to sort by.
  public struct Field: RawRepresentable, Sendable, Hashable {
    /// MLflow's attribute name.
    public let rawValue: String
    /// The field MLflow names `rawValue`, or `nil` for a field this store cannot sort by.
    public init?(rawValue: String) {
      guard ["creation_timestamp", "last_updated_timestamp", "name", "model_id"].contains(rawValue) else { return nil }
      self.rawValue = rawValue
    }
    private init(known: String) { rawValue = known }

    /// Creation time.
    public static let creationTimestamp = Field(known: "creation_timestamp")
    /// Time of the last finalize or delete.
    public static let lastUpdatedTimestamp = Field(known: "last_updated_timestamp")
    /// Display name.
    public static let name = Field(known: "name")
    /// Model ID.
    public static let modelID = Field(known: "model_id")
  }

  /// One sort key.
  public struct Order: Sendable, Hashable {
    /// What to sort by.
    public var field: Field
    /// Smallest first when `true`, largest first when `false`.
    public var ascending: Bool
    /// Sorts by `field`, ascending or descending.
    public init(_ field: Field, ascending: Bool) {
      self.field = field
      self.ascending = ascending
    }
  }

  /// The experiments to search (decimal IDs).
  public var experimentIDs: [String]
  /// Tags every returned model must have, with exactly these values.
  public var tags: [String: String]
  /// The key, among ``tags``, whose value few models share (for git versions, the commit).
  /// The search starts from the models with that tag instead of checking every model, which
  /// keeps a lookup fast in a store with thousands of models. It does not change the results.
  public var selectiveTagKey: String?
  /// Sort keys, applied before MLflow's implicit `creation_timestamp DESC, model_id ASC`
  /// (each implicit key is skipped when its field is already listed). Empty: newest first.
  public var orderBy: [Order]
  /// The most models in one page (MLflow's default is 100).
  public var maxResults: Int
  /// The ``LoggedModelPage/nextPageToken`` of the previous page of this same search.
  public var pageToken: String?

  /// A search of `experimentIDs` for models with all of `tags`.
  public init(
    experimentIDs: [String],
    tags: [String: String] = [:],
    selectiveTagKey: String? = nil,
    orderBy: [Order] = [],
    maxResults: Int = 100,
    pageToken: String? = nil
  ) {
    self.experimentIDs = experimentIDs
    self.tags = tags
    self.selectiveTagKey = selectiveTagKey
    self.orderBy = orderBy
    self.maxResults = maxResults
    self.pageToken = pageToken
  }
}

/// One page of a logged model search.
public struct LoggedModelPage: Sendable, Hashable {
  /// The models on this page, in the search's order.
  public var models: [LoggedModel]
  /// Pass this as ``LoggedModelSearch/pageToken`` to get the next page; `nil` on the last page.
  public var nextPageToken: String?

  /// Creates a page from its models and the token of the next page.
  package init(models: [LoggedModel], nextPageToken: String?) {
    self.models = models
    self.nextPageToken = nextPageToken
  }
}
