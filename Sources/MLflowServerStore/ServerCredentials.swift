import FoundationEssentials

/// How requests to a tracking server authenticate, as MLflow's Python client does it: HTTP
/// Basic with a user name and password, or a bearer token.
///
/// The secret never appears in descriptions or error messages.
///
/// # Usage
/// ```swift
/// var configuration = RESTTrackingStore.Configuration()
/// configuration.credentials = .basic(username: "admin", password: password)
/// let store = try RESTTrackingStore(serverURL: "https://mlflow.example.com", configuration: configuration)
/// ```
public enum ServerCredentials: Sendable, Hashable, CustomStringConvertible {
  /// `Authorization: Basic …` (`MLFLOW_TRACKING_USERNAME` and `MLFLOW_TRACKING_PASSWORD`).
  case basic(username: String, password: String)
  /// `Authorization: Bearer …` (`MLFLOW_TRACKING_TOKEN`).
  case bearer(token: String)

  /// The `Authorization` header value.
  var authorizationHeader: String {
    switch self {
    case .basic(let username, let password):
      "Basic " + Data((username + ":" + password).utf8).base64EncodedString()
    case .bearer(let token):
      "Bearer " + token
    }
  }

  /// Names the kind of credentials and the user, never the secret.
  public var description: String {
    switch self {
    case .basic(let username, _): "basic credentials of user '\(username)'"
    case .bearer: "a bearer token"
    }
  }
}
