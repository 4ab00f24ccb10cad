/// One HTTP answer: status, headers and body. After redirects, the last answer's.
package struct HTTPResponse: Sendable {
  /// The status code, e.g. `200`.
  package let status: Int
  /// Header fields, names lowercased; a repeated field's values joined with `, `.
  package let headers: [String: String]
  /// The body as received (not decoded).
  package let body: [UInt8]

  package init(status: Int, headers: [String: String], body: [UInt8]) {
    self.status = status
    self.headers = headers
    self.body = body
  }
}
