/// How ``HTTPTransport`` checks an `https` server and which certificate it shows, with the
/// meanings Python's `requests` gives `verify` and `cert`. Plain `http` ignores them.
package struct TLSOptions: Sendable, Hashable {
  /// How the server's certificate is checked.
  package enum Verification: Sendable, Hashable {
    /// Against the system's certificate authorities (Debian: `/etc/ssl/certs`).
    case system
    /// Not at all: neither the certificate chain nor the host name.
    case insecure
    /// Against the authorities in this PEM bundle only, or in this directory of hashed
    /// certificates (`c_rehash`) only; the system's are not trusted then.
    case certificateAuthority(path: String)
  }

  /// How the server's certificate is checked.
  package var verification: Verification
  /// A PEM file holding the client certificate and its unencrypted private key, for servers
  /// that ask for one; `nil` shows none.
  package var clientCertificatePath: String?

  package init(verification: Verification = .system, clientCertificatePath: String? = nil) {
    self.verification = verification
    self.clientCertificatePath = clientCertificatePath
  }
}
