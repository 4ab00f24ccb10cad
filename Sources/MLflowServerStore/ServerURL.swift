import FoundationEssentials
import MLflowStore

/// A tracking server's base URL, split from any credentials written into it
/// (`https://user:password@host`), so that messages can name the server without the secret.
struct ServerURL: Sendable, Hashable, CustomStringConvertible {
  /// `scheme://host[:port][/path]`, without user info and without a trailing `/`.
  let base: String
  /// `true` for `https`.
  let isSecure: Bool
  /// Basic credentials from the URL's user info, if it has both a user and a password.
  let credentials: ServerCredentials?

  /// Parses `text`, an `http://` or `https://` URL.
  ///
  /// - Throws: `.invalidConfiguration` for another scheme, no host, a query or a fragment.
  init(parsing text: String) throws(MLflowStoreError) {
    guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
      scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
    else {
      throw MLflowStoreError(
        code: .invalidConfiguration,
        message: "the tracking server URL '\(TrackingURI.redacted(text))' is not an http:// or https:// URL "
          + "with a host; use e.g. http://127.0.0.1:5000")
    }
    guard components.query == nil, components.fragment == nil else {
      throw MLflowStoreError(
        code: .invalidConfiguration,
        message: "the tracking server URL '\(TrackingURI.redacted(text))' has a query or fragment; "
          + "give the server's root URL, e.g. https://mlflow.example.com")
    }
    var stripped = components
    stripped.user = nil
    stripped.password = nil
    var base = stripped.string ?? ""
    while base.hasSuffix("/") { base.removeLast() }
    self.base = base
    self.isSecure = scheme == "https"
    if let user = components.user, let password = components.password {
      credentials = .basic(username: user, password: password)
    } else {
      credentials = nil
    }
  }

  var description: String { base }
}
