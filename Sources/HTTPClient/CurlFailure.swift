import CCurl

/// Maps a failed libcurl transfer to a ``TransportFailure``, deciding whether the server can
/// have seen the request: only when not one byte of it was sent is it certain that it did not.
enum CurlFailure {
  /// The failure for `code`, with libcurl's message `detail`, after `bytesSent` bytes of the
  /// request (`CURLINFO_REQUEST_SIZE`) went out; `afterHandshake` when a TLS handshake had
  /// completed (`CURLINFO_APPCONNECT_TIME_T`).
  static func failure(_ code: CURLcode, detail: String, bytesSent: Int, afterHandshake: Bool) -> TransportFailure {
    let nothingSent = bytesSent == 0
    switch code {
    case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
      return .notConnected(detail)
    case CURLE_OPERATION_TIMEDOUT:
      return nothingSent ? .notConnected(detail) : .timedOut
    case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
      CURLE_SSL_INVALIDCERTSTATUS:
      return .tls(TLSFailure(.serverCertificateNotTrusted, detail))
    case CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CRL_BADFILE:
      return .tls(TLSFailure(.certificateAuthorityUnreadable, detail))
    case CURLE_SSL_CERTPROBLEM, CURLE_SSL_CLIENTCERT:
      return .tls(TLSFailure(.clientCertificateUnusable, detail))
    case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
      CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED:
      return .tls(TLSFailure(refusesClientCertificate(detail) ? .clientCertificateUnusable : .handshakeFailed, detail))
    case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN, CURLE_UNKNOWN_OPTION,
      CURLE_BAD_FUNCTION_ARGUMENT, CURLE_OUT_OF_MEMORY, CURLE_FAILED_INIT, CURLE_READ_ERROR:
      return .cannotSend(detail)
    default:
      // With TLS 1.3 a server that refuses the client's certificate says so with an alert on
      // the first read, after the request went out; its application never saw the request.
      if refusesClientCertificate(detail) { return .tls(TLSFailure(.clientCertificateUnusable, detail)) }
      // Or it closes the connection as soon as the handshake is done, before the client sends
      // anything; libcurl then reports whatever the closed socket gave it (getpeername, a reset).
      if nothingSent, afterHandshake {
        return .tls(TLSFailure(.clientCertificateUnusable, "the server closed the connection right after the handshake: " + detail))
      }
      return nothingSent ? .notConnected(detail) : .interrupted(detail)
    }
  }

  /// Whether OpenSSL's message is a server's alert refusing the client certificate (or its absence).
  private static func refusesClientCertificate(_ detail: String) -> Bool {
    let text = detail.lowercased()
    return ["alert certificate required", "alert bad certificate", "alert unknown ca", "alert certificate unknown"]
      .contains { text.contains($0) }
  }
}
