import FoundationEssentials
import HTTPClient
import MLflowStore

/// Turns an answer that is not a success into an ``MLflowStoreError`` that says what happened
/// and what to do: MLflow's `error_code` and message when the body is MLflow's JSON, the HTTP
/// status otherwise.
enum RESTErrorMapping {
  /// The error for a non-2xx answer to `request` from `server`.
  static func error(for response: HTTPResponse, of request: RESTRequest, server: ServerURL) -> MLflowStoreError {
    let text = String(decoding: response.body, as: UTF8.self)
    let json = JSONValue.parse(text)
    let errorCode = json?["error_code"]?.stringValue
    let serverMessage = json?["message"]?.stringValue ?? json?["detail"]?.stringValue
    let said = serverMessage.map { ": \($0)" } ?? (json == nil ? ": " + snippet(of: text) : "")
    let context = "could not \(request.action) (HTTP \(response.status) from \(server)\(errorCode.map { ", " + $0 } ?? ""))"
    switch (errorCode, response.status) {
    case ("UNAUTHENTICATED"?, _), (nil, 401):
      return MLflowStoreError(
        code: .unauthenticated,
        message: "\(context): the server wants valid credentials\(said); set MLFLOW_TRACKING_USERNAME and "
          + "MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) to an account of this server")
    case ("PERMISSION_DENIED"?, _), (nil, 403):
      return MLflowStoreError(
        code: .permissionDenied,
        message: "\(context)\(said); ask the server's admin for permission on this experiment, or use other credentials")
    case ("RESOURCE_DOES_NOT_EXIST"?, _):
      return MLflowStoreError(code: request.notFound, message: "\(context)\(said)")
    case ("RESOURCE_ALREADY_EXISTS"?, _), ("ALREADY_EXISTS"?, _):
      return MLflowStoreError(code: .alreadyExists, message: "\(context)\(said)")
    case ("INVALID_STATE"?, _):
      return MLflowStoreError(code: .invalidState, message: "\(context)\(said)")
    case ("INVALID_PARAMETER_VALUE"?, _) where serverMessage?.contains("must be in the 'active' state") == true:
      // MLflow's SQL store says a deleted experiment is an invalid parameter; the SQLite store
      // (and this protocol) call it an invalid state: restoring the experiment fixes it.
      return MLflowStoreError(code: .invalidState, message: "\(context)\(said)")
    case ("ENDPOINT_NOT_FOUND"?, _), (nil, 404), (nil, 405):
      return MLflowStoreError(
        code: .unexpectedResponse,
        message: "\(context): the server has no such endpoint\(said); check that the tracking URI is the root of an "
          + "MLflow tracking server of version 3.4 or later")
    case ("TEMPORARILY_UNAVAILABLE"?, _), (_, 429), (_, 502), (_, 503), (_, 504), (_, 408):
      return MLflowStoreError(
        code: .storeUnavailable,
        message: "\(context): the server is overloaded or down\(said); try again later")
    case (_?, 500...), (nil, 500...):
      return MLflowStoreError(code: .serverError, message: "\(context): the server failed\(said); see the server's log")
    case (_?, _):
      return MLflowStoreError(code: .invalidArgument, message: "\(context)\(said)")
    case (nil, _):
      return MLflowStoreError(
        code: json == nil ? .unexpectedResponse : .invalidArgument,
        message: "\(context)\(said)")
    }
  }

  /// The error for a 2xx answer whose body is not a JSON object.
  static func notJSON(_ response: HTTPResponse, of request: RESTRequest, server: ServerURL) -> MLflowStoreError {
    let text = String(decoding: response.body, as: UTF8.self)
    let what = looksLikeHTML(text)
      ? "an HTML page (\(snippet(of: text)))"
      : "a body that is not complete JSON (\(response.body.count) bytes: \(snippet(of: text)))"
    return MLflowStoreError(
      code: .unexpectedResponse,
      message: "could not \(request.action): \(server) answered HTTP \(response.status) with \(what); check that the "
        + "tracking URI points at an MLflow tracking server, not a proxy or another web service")
  }

  /// The error for a request that got no answer; `tls` is what the request was sent with, so
  /// that a certificate problem names the setting to change.
  static func error(
    for failure: TransportFailure, of request: RESTRequest, server: ServerURL, tls: TLSOptions, attempts: Int
  ) -> MLflowStoreError {
    let tries = attempts == 1 ? "" : " (\(attempts) tries)"
    switch failure {
    case .notConnected(let reason):
      return MLflowStoreError(
        code: .storeUnavailable,
        message: "could not \(request.action): cannot connect to the tracking server at \(server)\(tries): \(reason); "
          + "check that the server is running and MLFLOW_TRACKING_URI is right")
    case .timedOut:
      return MLflowStoreError(
        code: .storeUnavailable,
        message: "could not \(request.action): the tracking server at \(server) did not answer in time\(tries); "
          + (request.idempotent ? "" : "it may still have done it, so look before trying again; ")
          + "raise MLFLOW_HTTP_REQUEST_TIMEOUT if the server is slow")
    case .interrupted(let reason):
      return MLflowStoreError(
        code: .storeUnavailable,
        message: "could not \(request.action): the connection to \(server) broke before the whole answer arrived"
          + "\(tries) (\(reason))"
          + (request.idempotent ? "; try again" : "; the server may still have done it, so look before trying again"))
    case .tls(let tlsFailure):
      return MLflowStoreError(
        code: .invalidConfiguration,
        message: "could not \(request.action): the TLS connection to \(server) failed: " + advice(for: tlsFailure, tls: tls))
    case .cannotSend(let reason):
      return MLflowStoreError(
        code: .storeUnavailable, message: "could not \(request.action): the request to \(server) cannot be sent: \(reason)")
    }
  }

  /// What went wrong in the handshake and which of MLflow's TLS variables fixes it.
  private static func advice(for failure: TLSFailure, tls: TLSOptions) -> String {
    let detail = " (\(failure.detail))"
    switch (failure.reason, tls.verification) {
    case (.serverCertificateNotTrusted, .certificateAuthority(let path)):
      return "its certificate is not signed by the authorities in MLFLOW_TRACKING_SERVER_CERT_PATH ('\(path)'), or does "
        + "not name this host\(detail); set it to the PEM bundle of the CA that signed the server's certificate"
    case (.serverCertificateNotTrusted, _):
      return "its certificate is not trusted by this system, or does not name this host\(detail); if a private CA signed "
        + "it, set MLFLOW_TRACKING_SERVER_CERT_PATH to that CA's PEM bundle (or add the CA to the system's store with "
        + "update-ca-certificates); MLFLOW_TRACKING_INSECURE_TLS=true skips the check, for testing only"
    case (.certificateAuthorityUnreadable, .certificateAuthority(let path)):
      return "MLFLOW_TRACKING_SERVER_CERT_PATH ('\(path)') cannot be read as a PEM CA bundle\(detail); "
        + "set it to a readable PEM file of CA certificates"
    case (.certificateAuthorityUnreadable, _):
      return "this system's CA certificates cannot be read\(detail); install ca-certificates, or set "
        + "MLFLOW_TRACKING_SERVER_CERT_PATH to a PEM CA bundle"
    case (.clientCertificateUnusable, _):
      let path = tls.clientCertificatePath.map { " ('\($0)')" } ?? ""
      return tls.clientCertificatePath == nil
        ? "the server refused the connection in the handshake, as servers that want a client certificate do\(detail); "
          + "set MLFLOW_TRACKING_CLIENT_CERT_PATH to a PEM file with your certificate and its private key"
        : "the client certificate in MLFLOW_TRACKING_CLIENT_CERT_PATH\(path) cannot be used or was refused\(detail); "
          + "it must be one PEM file with the certificate and its unencrypted private key, signed by a CA the server trusts"
    case (.handshakeFailed, _):
      return "the handshake failed\(detail); check that the server speaks https on this port (or use http://), and "
        + "whether it wants a client certificate (MLFLOW_TRACKING_CLIENT_CERT_PATH)"
    }
  }

  /// A short, single-line excerpt of a body for messages: an HTML page's title, else its start.
  static func snippet(of text: String) -> String {
    if let title = text.firstMatch(of: /<title>([\s\S]*?)<\/title>/.ignoresCase()) {
      return "'" + title.1.trimmed() + "'"
    }
    let line = text.split(whereSeparator: \.isNewline).map { $0.trimmed() }.joined(separator: " ")
    if line.isEmpty { return "an empty body" }
    return "'" + (line.count > 200 ? line.prefix(200) + "…" : line) + "'"
  }

  private static func looksLikeHTML(_ text: String) -> Bool {
    let start = text.drop(while: \.isWhitespace).prefix(15).lowercased()
    return start.hasPrefix("<!doctype html") || start.hasPrefix("<html") || start.hasPrefix("<")
  }
}
