import FoundationEssentials
import MLflowStore

/// Where the next page of a search starts: the server's page token and how many results of
/// that server page were already returned. It travels as an opaque page token that also
/// records the search, so a token cannot be used with another search.
///
/// Results are checked on this side too: every value is matched exactly, including values
/// MLflow's filter strings cannot express, which are left out of the server's filter.
struct SearchCursor: Sendable, Equatable {
  /// The server's token of the page to fetch; `nil` for the first page.
  var serverToken: String?
  /// How many results at the start of that page were already returned.
  var skip: Int

  /// The start of a search.
  static let start = SearchCursor(serverToken: nil, skip: 0)

  /// The opaque token for this cursor of the search `fingerprint`.
  func token(search fingerprint: JSONValue) -> String {
    let json = JSONValue.object([
      ("search", fingerprint), ("server", serverToken.map { .string($0) } ?? .null), ("skip", .integer(Int64(skip))),
    ])
    return Data(json.pythonJSON.utf8).base64EncodedString()
  }

  /// The cursor a page token points at (``start`` for no token).
  ///
  /// - Throws: `.invalidArgument` for a token this store did not issue or one of another search.
  init(token: String?, search fingerprint: JSONValue) throws(MLflowStoreError) {
    guard let token else {
      self = .start
      return
    }
    guard let data = Data(base64Encoded: token), let json = JSONValue.parse(String(decoding: data, as: UTF8.self)),
      let skip = json["skip"]?.int64Value, skip >= 0
    else {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "the page token '\(token.prefix(40))' is not one this store issued; start the search again without it")
    }
    guard json["search"] == fingerprint else {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "the page token belongs to a different search (other experiments, filter or order); "
          + "pass the same search parameters as for the first page, or start again without a token")
    }
    self.init(serverToken: json["server"]?.stringValue, skip: Int(skip))
  }

  init(serverToken: String?, skip: Int) {
    self.serverToken = serverToken
    self.skip = skip
  }

  /// Collects up to `count` results that satisfy `matches`, fetching server pages of
  /// `pageSize` from this cursor on.
  ///
  /// - Returns: The results and the cursor of the next page: `nil` once the server has no
  ///   more results (the last page may come back empty when the server could not tell).
  func collect<Item: Sendable>(
    count: Int,
    pageSize: Int,
    fetch: (_ serverToken: String?, _ pageSize: Int) async throws(MLflowStoreError) -> (items: [Item], next: String?),
    matches: (Item) -> Bool
  ) async throws(MLflowStoreError) -> (items: [Item], next: SearchCursor?) {
    var collected: [Item] = []
    var cursor = self
    while true {
      let page = try await fetch(cursor.serverToken, pageSize)
      for (index, item) in page.items.enumerated().dropFirst(cursor.skip) where matches(item) {
        if collected.count == count { return (collected, SearchCursor(serverToken: cursor.serverToken, skip: index)) }
        collected.append(item)
      }
      guard let next = page.next else { return (collected, nil) }
      cursor = SearchCursor(serverToken: next, skip: 0)
      if collected.count == count { return (collected, cursor) }
    }
  }
}
