import FoundationEssentials
import HTTPClient
public import MLflowStore

extension RESTTrackingStore {
  /// How a ``RESTTrackingStore`` talks to its server: credentials, TLS, timeout and retries,
  /// with the defaults and environment variables of MLflow's Python client.
  ///
  /// # Usage
  /// ```swift
  /// var configuration = try RESTTrackingStore.Configuration(environment: ProcessInfo.processInfo.environment)
  /// configuration.maxRetries = 2
  /// let store = try RESTTrackingStore(serverURL: "http://127.0.0.1:5000", configuration: configuration)
  /// ```
  public struct Configuration: Sendable {
    /// How the store checks the certificate of an `https` server.
    public enum TLSVerification: Sendable, Hashable {
      /// Against the system's trusted certificate authorities.
      case system
      /// Not at all (`MLFLOW_TRACKING_INSECURE_TLS=true`).
      case insecure
      /// Against the CA bundle at this path only, not the system's (`MLFLOW_TRACKING_SERVER_CERT_PATH`,
      /// as `requests`' `verify=path`; a directory of hashed certificates works too).
      case certificateAuthority(path: String)
    }

    /// Basic or bearer credentials; `nil` sends none. Credentials in the server URL's user
    /// info (`https://user:password@host`) take precedence, as they do for Python's `requests`.
    public var credentials: ServerCredentials?
    /// How certificates of an `https` server are checked.
    public var tlsVerification: TLSVerification
    /// A PEM file with the client certificate and its unencrypted private key, for servers that
    /// ask for one (`MLFLOW_TRACKING_CLIENT_CERT_PATH`); `nil` shows none.
    public var clientCertificatePath: String?
    /// The longest one request may take, connecting included (MLflow: 120 s). Enforced to the
    /// millisecond, not rounded to whole seconds.
    public var requestTimeout: Duration
    /// How many times a failed request is retried (MLflow: 7, at most 10). Creations are
    /// retried only when nothing can have been written: a refused connection, HTTP 408 or 429.
    public var maxRetries: Int
    /// How many times a request is retried when no connection could be made at all (refused,
    /// unknown host), within ``maxRetries`` (`MLFLOW_GIT_UNREACHABLE_RETRIES`, default 1).
    /// MLflow's client retries these like any failure, so a start against a server that is down
    /// hangs for minutes of backoff; mlflow-git reports it unavailable after about a second
    /// instead, and its hooks, journal and provisional IDs keep everything until it is back.
    public var unreachableRetries: Int
    /// Retry `n` (from the second on) waits `backoffFactor · 2^(n-1)` seconds, at most 120 s
    /// (MLflow: 2, at most 120).
    public var backoffFactor: Double
    /// Up to this many seconds of random delay are added to each backoff (MLflow: 1).
    public var backoffJitter: Double
    /// Wait as long as a 429 or 503 answer's `Retry-After` says (at most 120 s) instead of the
    /// backoff (MLflow: yes).
    public var respectRetryAfter: Bool
    /// The MLflow workspace, sent as `X-MLFLOW-WORKSPACE` (`MLFLOW_WORKSPACE`).
    public var workspace: String?

    /// The most retries MLflow allows.
    package static let maxRetriesLimit = 10
    /// The largest backoff factor MLflow allows, and the longest wait between two tries.
    package static let backoffLimit: Double = 120

    /// A configuration; the defaults are MLflow's where MLflow has the setting (`MLFLOW_HTTP_REQUEST_*`).
    public init(
      credentials: ServerCredentials? = nil,
      tlsVerification: TLSVerification = .system,
      clientCertificatePath: String? = nil,
      requestTimeout: Duration = .seconds(120),
      maxRetries: Int = 7,
      unreachableRetries: Int = 1,
      backoffFactor: Double = 2,
      backoffJitter: Double = 1,
      respectRetryAfter: Bool = true,
      workspace: String? = nil
    ) {
      self.credentials = credentials
      self.tlsVerification = tlsVerification
      self.clientCertificatePath = clientCertificatePath
      self.requestTimeout = requestTimeout
      self.maxRetries = maxRetries
      self.unreachableRetries = unreachableRetries
      self.backoffFactor = backoffFactor
      self.backoffJitter = backoffJitter
      self.respectRetryAfter = respectRetryAfter
      self.workspace = workspace
    }

    /// The configuration MLflow's Python client would use with these environment variables:
    /// `MLFLOW_TRACKING_USERNAME`/`_PASSWORD` (each falling back to `~/.mlflow/credentials`;
    /// Basic wins over a token), `MLFLOW_TRACKING_TOKEN`, `MLFLOW_TRACKING_INSECURE_TLS`,
    /// `MLFLOW_TRACKING_SERVER_CERT_PATH`, `MLFLOW_TRACKING_CLIENT_CERT_PATH`, `MLFLOW_HTTP_REQUEST_TIMEOUT`,
    /// `MLFLOW_HTTP_REQUEST_MAX_RETRIES`, `MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR`,
    /// `MLFLOW_HTTP_REQUEST_BACKOFF_JITTER`, `MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER` and
    /// `MLFLOW_WORKSPACE`; plus mlflow-git's `MLFLOW_GIT_UNREACHABLE_RETRIES`.
    ///
    /// - Throws: `.invalidConfiguration` naming the variable with an unusable value.
    public init(environment: [String: String]) throws(MLflowStoreError) {
      self.init()
      let file = CredentialsFile.read(home: environment["HOME"])
      let username = Self.nonEmpty(environment["MLFLOW_TRACKING_USERNAME"]) ?? file.username
      let password = Self.nonEmpty(environment["MLFLOW_TRACKING_PASSWORD"]) ?? file.password
      if let username, let password {
        credentials = .basic(username: username, password: password)
      } else if let token = Self.nonEmpty(environment["MLFLOW_TRACKING_TOKEN"]) {
        credentials = .bearer(token: token)
      }
      let insecure = try Self.boolean(environment, "MLFLOW_TRACKING_INSECURE_TLS", default: false)
      let certificatePath = Self.nonEmpty(environment["MLFLOW_TRACKING_SERVER_CERT_PATH"])
      switch (insecure, certificatePath) {
      case (true, .some):
        throw MLflowStoreError(
          code: .invalidConfiguration,
          message: "MLFLOW_TRACKING_INSECURE_TLS is true and MLFLOW_TRACKING_SERVER_CERT_PATH is set; "
            + "set only one of them, as MLflow requires")
      case (true, nil): tlsVerification = .insecure
      case (false, let path?): tlsVerification = .certificateAuthority(path: path)
      case (false, nil): tlsVerification = .system
      }
      clientCertificatePath = Self.nonEmpty(environment["MLFLOW_TRACKING_CLIENT_CERT_PATH"])
      let timeout = try Self.number(environment, "MLFLOW_HTTP_REQUEST_TIMEOUT", default: 120)
      guard timeout > 0 else {
        throw Self.invalid("MLFLOW_HTTP_REQUEST_TIMEOUT", environment, "a positive number of seconds")
      }
      requestTimeout = .milliseconds(Int64((timeout * 1000).rounded()))
      let retries = try Self.number(environment, "MLFLOW_HTTP_REQUEST_MAX_RETRIES", default: 7)
      guard retries >= 0, retries <= Double(Self.maxRetriesLimit), retries == retries.rounded() else {
        throw Self.invalid("MLFLOW_HTTP_REQUEST_MAX_RETRIES", environment, "an integer from 0 to \(Self.maxRetriesLimit)")
      }
      maxRetries = Int(retries)
      let unreachable = try Self.number(environment, "MLFLOW_GIT_UNREACHABLE_RETRIES", default: 1)
      guard unreachable >= 0, unreachable <= Double(Self.maxRetriesLimit), unreachable == unreachable.rounded() else {
        throw Self.invalid("MLFLOW_GIT_UNREACHABLE_RETRIES", environment, "an integer from 0 to \(Self.maxRetriesLimit)")
      }
      unreachableRetries = Int(unreachable)
      backoffFactor = try Self.number(environment, "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", default: 2)
      guard backoffFactor >= 0, backoffFactor <= Self.backoffLimit else {
        throw Self.invalid("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", environment, "a number from 0 to 120")
      }
      backoffJitter = try Self.number(environment, "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", default: 1)
      guard backoffJitter >= 0 else {
        throw Self.invalid("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", environment, "a number of seconds, 0 or more")
      }
      respectRetryAfter = try Self.boolean(environment, "MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER", default: true)
      workspace = Self.nonEmpty(environment["MLFLOW_WORKSPACE"])
    }

    /// The TLS settings of each request.
    var tlsOptions: TLSOptions {
      let verification: TLSOptions.Verification =
        switch tlsVerification {
        case .system: .system
        case .insecure: .insecure
        case .certificateAuthority(let path): .certificateAuthority(path: path)
        }
      return TLSOptions(verification: verification, clientCertificatePath: clientCertificatePath)
    }

    private static func nonEmpty(_ value: String?) -> String? {
      guard let value, !value.isEmpty else { return nil }
      return value
    }

    private static func number(
      _ environment: [String: String], _ name: String, default value: Double
    ) throws(MLflowStoreError) -> Double {
      guard let text = nonEmpty(environment[name]) else { return value }
      guard let number = Double(text.trimmed()), number.isFinite else {
        throw invalid(name, environment, "a number")
      }
      return number
    }

    private static func boolean(
      _ environment: [String: String], _ name: String, default value: Bool
    ) throws(MLflowStoreError) -> Bool {
      guard let text = nonEmpty(environment[name]) else { return value }
      switch text.lowercased() {
      case "true", "1": return true
      case "false", "0": return false
      default: throw invalid(name, environment, "true, false, 1 or 0")
      }
    }

    private static func invalid(_ name: String, _ environment: [String: String], _ expected: String) -> MLflowStoreError {
      MLflowStoreError(
        code: .invalidConfiguration,
        message: "\(name) is '\(environment[name] ?? "")'; set it to \(expected), or unset it for MLflow's default")
    }
  }
}

/// MLflow's credentials file, `~/.mlflow/credentials`: an INI file whose `[mlflow]` section
/// may hold `mlflow_tracking_username` and `mlflow_tracking_password`.
enum CredentialsFile {
  static func read(home: String?) -> (username: String?, password: String?) {
    guard let home, !home.isEmpty,
      let text = try? String(contentsOfFile: home + "/.mlflow/credentials", encoding: .utf8)
    else { return (nil, nil) }
    var section = ""
    var values: [String: String] = [:]
    for rawLine in text.split(whereSeparator: \.isNewline) {
      let line = rawLine.trimmed()
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("["), line.hasSuffix("]") {
        section = String(line.dropFirst().dropLast()).trimmed()
        continue
      }
      guard section == "mlflow", let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
      let key = line[..<separator].trimmed().lowercased()
      values[key] = line[line.index(after: separator)...].trimmed()
    }
    return (values["mlflow_tracking_username"].flatMap { $0.isEmpty ? nil : $0 },
            values["mlflow_tracking_password"].flatMap { $0.isEmpty ? nil : $0 })
  }
}
