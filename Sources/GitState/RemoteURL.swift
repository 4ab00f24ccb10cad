/// A remote's URL as configured, and the same URL with any credentials removed.
///
/// `https://user:token@host/org/app.git` becomes `https://host/org/app.git`; `ssh://git@host/x`
/// keeps its user name (it is part of the address, not a secret) but loses a password;
/// scp-style `git@host:org/app.git` and local paths have no credentials and stay as they are.
///
/// # Usage
/// ```swift
/// let url = RemoteURL("https://ci:ghp_secret@github.com/acme/app.git")
/// print(url.withoutCredentials) // https://github.com/acme/app.git
/// ```
public struct RemoteURL: Sendable, Hashable, CustomStringConvertible {
  /// The value of `remote.<name>.url` exactly as configured. May contain a secret: never log it.
  public let raw: String

  /// A remote URL as configured, e.g. `RemoteURL("https://user:token@host/repo.git").description` is
  /// `https://host/repo.git`.
  public init(_ raw: String) { self.raw = raw }

  /// `true` when ``raw`` carries a password or token.
  public var hasCredentials: Bool { withoutCredentials != raw }

  /// The URL safe to record and show.
  public var withoutCredentials: String {
    guard let colon = raw.firstIndex(of: ":"), raw[colon...].hasPrefix("://") else { return raw }
    let schemeEnd = colon..<raw.index(colon, offsetBy: 3)
    let scheme = raw[..<colon].lowercased()
    guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return raw }
    let rest = raw[schemeEnd.upperBound...]
    let authorityEnd = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
    let authority = rest[..<authorityEnd]
    guard let at = authority.lastIndex(of: "@") else { return raw }
    let userInfo = authority[..<at]
    let host = authority[authority.index(after: at)...]
    var kept = ""
    if scheme == "ssh" || scheme == "git+ssh" || scheme == "ssh+git" {
      let user = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
      if !user.isEmpty { kept = user + "@" }
    }
    return raw[..<schemeEnd.upperBound] + kept + host + rest[authorityEnd...]
  }

  /// The URL without credentials, so printing it never leaks a token.
  public var description: String { withoutCredentials }
}

extension GitRepository {
  /// The URL of the remote called `name`, or `nil` when there is no such remote.
  ///
  /// Read from the repository's config file (no process); asks `git config` only when the file
  /// includes other files or uses syntax this reader does not know.
  public func remoteURL(named name: String = "origin") throws(GitStateError) -> RemoteURL? {
    try configValue("remote.\(name).url").map(RemoteURL.init)
  }
}
