#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The opaque page tokens of searches: base64 of a JSON object holding the offset of the next
/// page and a description of the search, so a token cannot be used with another search.
enum PageToken {
  /// The token for the page starting at `offset` of the search described by `search`.
  static func encode(offset: Int, search: JSONValue) -> String {
    let json = JSONValue.object([("offset", .integer(Int64(offset))), ("search", search)]).pythonJSON
    return Data(json.utf8).base64EncodedString()
  }

  /// The offset a token points at: 0 for no token.
  ///
  /// - Throws: `.invalidArgument` when the token is malformed or belongs to another search.
  static func offset(of token: String?, search: JSONValue) throws(MLflowStoreError) -> Int {
    guard let token else { return 0 }
    guard let data = Data(base64Encoded: token),
      let json = JSONValue.parse(String(decoding: data, as: UTF8.self)),
      case .integer(let offset)? = json["offset"], offset >= 0
    else {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "the page token '\(token.prefix(40))' is not one this store issued; start the search again without it")
    }
    guard json["search"] == search else {
      throw MLflowStoreError(
        code: .invalidArgument,
        message: "the page token belongs to a different search (other experiments, filter or order); "
          + "pass the same search parameters as for the first page, or start again without a token")
    }
    return Int(offset)
  }
}
