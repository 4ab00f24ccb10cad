/// One HTTP request for ``HTTPTransport``: where it goes, what it carries, how long it may take
/// and how the server's certificate is checked.
///
/// # Usage
/// ```swift
/// var request = HTTPRequest(method: "POST", url: baseURL + "/v1/chat/completions")
/// request.headers = [("Content-Type", "application/json"), ("Authorization", "Bearer " + key)]
/// request.body = Array(json.utf8)
/// request.timeout = .seconds(30)
/// let answer = await HTTPTransport.shared.send(request)
/// ```
package struct HTTPRequest: Sendable {
  /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE` or `HEAD`.
  package var method: String
  /// An absolute `http://` or `https://` URL, already percent-encoded, without user info
  /// (credentials go in ``headers``, so they never reach a message).
  package var url: String
  /// Header fields in order. An empty value removes a header libcurl would add by itself.
  package var headers: [(name: String, value: String)]
  /// The body, sent with a `Content-Length`; `nil` sends none.
  package var body: [UInt8]?
  /// The longest the whole exchange may take, connecting included, to the millisecond.
  package var timeout: Duration
  /// How an `https` server's certificate is checked, and the client certificate to show.
  package var tls: TLSOptions

  package init(
    method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
    timeout: Duration = .seconds(120), tls: TLSOptions = TLSOptions()
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
    self.timeout = timeout
    self.tls = tls
  }
}
