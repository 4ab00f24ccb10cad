import ChildProcess
import Foundation
import TestSupport

/// HTTPS in front of the real `mlflow server` (Python/tls_proxy.py), with certificates made by
/// `openssl` at test time: a private CA, a server certificate for 127.0.0.1 signed by it, a
/// client certificate (PEM with its key) signed by it, and an unrelated CA. Started once per
/// test process, stopped at exit.
final class TLSFront: Sendable {
  /// `https://127.0.0.1:<port>`: any client may connect.
  let url: String
  /// `https://127.0.0.1:<port>`: only clients showing a certificate signed by the CA.
  let clientCertificateURL: String
  /// The private CA that signed the server's and the client's certificates (PEM).
  let certificateAuthority: String
  /// A CA that signed nothing here (PEM).
  let otherCertificateAuthority: String
  /// The client's certificate and unencrypted key in one PEM file.
  let clientCertificate: String
  /// The `mlflow server` behind it.
  let server: MLflowServer
  /// The two proxies (stopped at exit).
  private let proxies: [BackgroundProcess]

  /// The front of the shared SQLite-backed server.
  static let shared = Task { () throws -> TLSFront in try await TLSFront(server: try await MLflowServer.sqlite.value) }

  private init(server: MLflowServer) async throws {
    self.server = server
    let directory = try TemporaryDirectory("mlflow-tls").keep()
    try await Self.makeCertificates(in: directory)
    certificateAuthority = directory + "/ca.pem"
    otherCertificateAuthority = directory + "/other-ca.pem"
    clientCertificate = directory + "/client-bundle.pem"
    let open = try await Self.startProxy(
      directory: directory, upstream: server.port, name: "open", requireClientCertificate: false)
    let strict = try await Self.startProxy(
      directory: directory, upstream: server.port, name: "strict", requireClientCertificate: true)
    url = "https://127.0.0.1:\(open.port)"
    clientCertificateURL = "https://127.0.0.1:\(strict.port)"
    proxies = [open.process, strict.process]
    try await Self.waitUntilReady(open)
    try await Self.waitUntilReady(strict)
  }

  private static func makeCertificates(in directory: String) async throws {
    let script = #"""
      set -e
      cd "$1"
      ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
      for ca in ca other-ca; do
        openssl req -x509 $ec -keyout $ca.key -out $ca.pem -days 2 -subj "/CN=mlflow-git test $ca" \
          -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
      done
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
      printf 'extendedKeyUsage=clientAuth\n' > client.ext
      for leaf in server client; do
        openssl req $ec -keyout $leaf.key -out $leaf.csr -subj "/CN=mlflow-git test $leaf" 2>/dev/null
        openssl x509 -req -in $leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $leaf.pem -days 2 \
          -extfile $leaf.ext 2>/dev/null
      done
      cat client.pem client.key > client-bundle.pem
      """#
    let output = try await ChildProcess.runLimited("/bin/sh", arguments: ["-c", script, "sh", directory])
    guard output.succeeded else { throw TestFailure("openssl could not make the test certificates: \(output.standardErrorText)") }
  }

  private static func startProxy(
    directory: String, upstream: Int, name: String, requireClientCertificate: Bool
  ) async throws -> (port: Int, process: BackgroundProcess) {
    let port = try freePort()
    var arguments = [
      ReferenceMLflow.packageRoot + "/Tests/MLflowStoreTests/Python/tls_proxy.py",
      "--port", String(port), "--upstream", String(upstream),
      "--cert", directory + "/server.pem", "--key", directory + "/server.key",
    ]
    if requireClientCertificate { arguments += ["--client-ca", directory + "/ca.pem"] }
    let process = try BackgroundProcess(
      try await ReferenceMLflow.pythonPath(), arguments, in: directory, environment: ReferenceMLflow.environment(),
      logPath: directory + "/\(name)-proxy.log")
    return (port, process)
  }

  private static func waitUntilReady(_ proxy: (port: Int, process: BackgroundProcess)) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
      if proxy.process.log.contains("ready") { return }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw TestFailure("the TLS proxy on port \(proxy.port) did not start: \(proxy.process.log.suffix(2000))")
  }
}
