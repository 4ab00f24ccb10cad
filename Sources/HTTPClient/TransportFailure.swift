/// Why no HTTP answer came back, and whether the server can have seen the request: a request
/// that creates something may be repeated only after ``notConnected``, ``tls`` or ``cannotSend``.
package enum TransportFailure: Error, Sendable, Equatable {
  /// No connection was made (refused, unknown host, no connection within the timeout), or it
  /// failed before a byte of the request was sent: the server never saw the request.
  case notConnected(String)
  /// No complete answer within the timeout: the server may have processed the request.
  case timedOut
  /// The connection broke, or the request was cancelled, before the whole answer arrived: the
  /// server may have processed it.
  case interrupted(String)
  /// The TLS handshake failed: the server never saw the request, and trying again will not
  /// help until the certificates or settings change.
  case tls(TLSFailure)
  /// The request could not be made at all (libcurl missing or too old, a malformed URL or
  /// header): the server never saw it.
  case cannotSend(String)
}
