import Foundation
import MLflowServerStore
import MLflowStore
import Testing
import TestSupport

/// The REST store over HTTPS to a real `mlflow server` behind a TLS front whose certificates
/// are made at test time by a private CA: MLflow's TLS variables work as in Python, and each
/// failure names the variable that fixes it, without credentials.
@Suite("REST store over HTTPS: MLflow's TLS variables", .tags(.timingSensitive))
struct TLSTests {
  static let password = "tls-Pa55word-never-shown"

  /// Fast settings, so that a retried TLS failure would show as a slow test.
  func store(_ url: String, _ environment: [String: String]) throws -> RESTTrackingStore {
    try RESTTrackingStore(
      serverURL: url,
      environment: environment.merging([
        "MLFLOW_HTTP_REQUEST_TIMEOUT": "20", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "0.5",
        "MLFLOW_TRACKING_USERNAME": "alice", "MLFLOW_TRACKING_PASSWORD": TLSTests.password,
      ]) { $1 })
  }

  /// Creates a model through `store` and finds it again by its tags.
  func createAndLookUp(_ store: RESTTrackingStore) async throws -> LoggedModel {
    let tags = ["mlflow.source.git.commit": UUID().uuidString, "mlflow.source.git.branch": "tls"]
    let model = try await store.createLoggedModel(experimentID: "0", name: nil, tags: tags)
    let page = try await store.searchLoggedModels(LoggedModelSearch(experimentIDs: ["0"], tags: tags, maxResults: 1))
    #expect(page.models.map(\.modelID) == [model.modelID])
    return model
  }

  @Test("MLFLOW_TRACKING_SERVER_CERT_PATH: requests succeed, and Python MLflow sees the model through the same CA")
  func certificateAuthority() async throws {
    let front = try await TLSFront.shared.value
    let store = try store(front.url, ["MLFLOW_TRACKING_SERVER_CERT_PATH": front.certificateAuthority])
    let model = try await createAndLookUp(store)
    #expect(try await store.loggedModel(id: model.modelID).modelID == model.modelID)

    let results = try await ReferenceMLflow.runOracle(
      [["op": "get_logged_model", "model_id": model.modelID]], trackingURI: front.url,
      extra: ["MLFLOW_TRACKING_SERVER_CERT_PATH": front.certificateAuthority])
    let seen = try #require(results.first as? [String: Any], "\(results)")
    #expect(seen["model_id"] as? String == model.modelID)
  }

  @Test("Without a CA setting the certificate is refused at once, naming both variables and no credentials")
  func untrustedWithoutSetting() async throws {
    let front = try await TLSFront.shared.value
    let secretURL = front.url.replacingOccurrences(of: "https://", with: "https://bob:url-Secret-42@")
    for store in [try store(front.url, [:]), try store(secretURL, [:])] {
      let started = ContinuousClock.now
      let error = await #expect(throws: MLflowStoreError.self) { try await store.experiment(id: "0") }
      #expect(ContinuousClock.now - started < .seconds(5), "a TLS failure must not be retried with backoff")
      #expect(error?.code == .invalidConfiguration)
      let message = error?.message ?? ""
      #expect(message.contains("MLFLOW_TRACKING_SERVER_CERT_PATH") && message.contains("MLFLOW_TRACKING_INSECURE_TLS"), "\(message)")
      #expect(message.contains(front.url) && message.contains("certificate"), "\(message)")
      #expect(!message.contains(TLSTests.password) && !message.contains("url-Secret-42"), "\(message)")
    }
  }

  @Test("MLFLOW_TRACKING_INSECURE_TLS=true skips verification; both settings at once are refused")
  func insecure() async throws {
    let front = try await TLSFront.shared.value
    _ = try await createAndLookUp(try store(front.url, ["MLFLOW_TRACKING_INSECURE_TLS": "true"]))
    let both = #expect(throws: MLflowStoreError.self) {
      try store(front.url, [
        "MLFLOW_TRACKING_INSECURE_TLS": "true", "MLFLOW_TRACKING_SERVER_CERT_PATH": front.certificateAuthority,
      ])
    }
    #expect(both?.code == .invalidConfiguration && both?.message.contains("set only one of them") == true)
  }

  @Test("A CA that did not sign the server's certificate, or a missing CA file, is named in the error")
  func wrongCertificateAuthority() async throws {
    let front = try await TLSFront.shared.value
    let wrong = await #expect(throws: MLflowStoreError.self) {
      try await store(front.url, ["MLFLOW_TRACKING_SERVER_CERT_PATH": front.otherCertificateAuthority]).experiment(id: "0")
    }
    #expect(wrong?.code == .invalidConfiguration)
    #expect(wrong?.message.contains("not signed by the authorities in MLFLOW_TRACKING_SERVER_CERT_PATH ('\(front.otherCertificateAuthority)')") == true,
      "\(wrong?.message ?? "")")
    let missing = front.certificateAuthority + ".missing"
    let unreadable = await #expect(throws: MLflowStoreError.self) {
      try await store(front.url, ["MLFLOW_TRACKING_SERVER_CERT_PATH": missing]).experiment(id: "0")
    }
    #expect(unreadable?.code == .invalidConfiguration)
    #expect(unreadable?.message.contains("MLFLOW_TRACKING_SERVER_CERT_PATH ('\(missing)') cannot be read") == true,
      "\(unreadable?.message ?? "")")
  }

  @Test("MLFLOW_TRACKING_CLIENT_CERT_PATH: a server that wants a client certificate accepts ours, and says so without it")
  func clientCertificate() async throws {
    let front = try await TLSFront.shared.value
    let withCertificate = try store(front.clientCertificateURL, [
      "MLFLOW_TRACKING_SERVER_CERT_PATH": front.certificateAuthority,
      "MLFLOW_TRACKING_CLIENT_CERT_PATH": front.clientCertificate,
    ])
    _ = try await createAndLookUp(withCertificate)

    // TLS 1.3: the server's refusal comes after the client's side of the handshake is done, as
    // an alert or a closed connection, depending on timing; either way it is named, not retried.
    let started = ContinuousClock.now
    let without = await #expect(throws: MLflowStoreError.self) {
      try await store(front.clientCertificateURL, ["MLFLOW_TRACKING_SERVER_CERT_PATH": front.certificateAuthority])
        .experiment(id: "0")
    }
    #expect(ContinuousClock.now - started < .seconds(5), "a refused client certificate must not be retried with backoff")
    #expect(without?.code == .invalidConfiguration)
    #expect(without?.message.contains("MLFLOW_TRACKING_CLIENT_CERT_PATH") == true, "\(without?.message ?? "")")
    #expect(without?.message.contains(TLSTests.password) == false)
  }
}
