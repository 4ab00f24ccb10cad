/// What went wrong in a TLS handshake, with libcurl's own words in ``detail``.
package struct TLSFailure: Sendable, Equatable {
  /// The part of the handshake that failed.
  package enum Reason: Sendable, Equatable {
    /// The server's certificate does not verify against the trusted authorities, or does not
    /// name the host.
    case serverCertificateNotTrusted
    /// The certificate authority bundle cannot be read or holds no certificate.
    case certificateAuthorityUnreadable
    /// The client certificate or its key cannot be read or used, or the server refused it.
    case clientCertificateUnusable
    /// Another handshake failure: e.g. the port does not speak TLS, or no common protocol.
    case handshakeFailed
  }

  package let reason: Reason
  /// libcurl's description, e.g. `SSL certificate problem: self-signed certificate in certificate chain`.
  package let detail: String

  package init(_ reason: Reason, _ detail: String) {
    self.reason = reason
    self.detail = detail
  }
}
