import Foundation
import MLflowStore
import Testing
import TestSupport

@Suite("Tracking URI resolution")
struct TrackingURITests {
  @Test("MLFLOW_TRACKING_URI wins over the repository setting and the default")
  func environmentFirst() throws {
    let uri = try TrackingURI.resolve(
      environment: ["MLFLOW_TRACKING_URI": "sqlite:////data/shared.db"],
      repositorySetting: "http://127.0.0.1:5000",
      defaultDirectory: "/src/app", workingDirectory: "/")
    #expect(uri == .sqlite(path: "/data/shared.db"))
  }

  @Test("The repository setting is used when MLFLOW_TRACKING_URI is unset or empty")
  func repositorySettingSecond() throws {
    for environment in [[:], ["MLFLOW_TRACKING_URI": ""]] {
      let uri = try TrackingURI.resolve(
        environment: environment, repositorySetting: "https://mlflow.example.com/",
        defaultDirectory: "/src/app", workingDirectory: "/")
      #expect(uri == .server(url: "https://mlflow.example.com"))
    }
  }

  @Test("The default is mlflow.db in the default directory, made absolute")
  func defaultDatabase() throws {
    let uri = try TrackingURI.resolve(environment: [:], defaultDirectory: "app/./sub/..", workingDirectory: "/src")
    #expect(uri == .sqlite(path: "/src/app/mlflow.db"))
    #expect(uri.description == "sqlite:////src/app/mlflow.db")
  }

  @Test("An existing ./mlruns file store is the default, as in MLflow")
  func fileStoreDefault() throws {
    let directory = try TemporaryDirectory()
    try FileManager.default.createDirectory(atPath: directory.appending("mlruns/0"), withIntermediateDirectories: true)
    #expect(try TrackingURI.resolve(environment: [:], defaultDirectory: directory.path) == .sqlite(path: directory.appending("mlflow.db")))
    _ = try? Data("name: Default\n".utf8).write(to: URL(fileURLWithPath: directory.appending("mlruns/0/meta.yaml")))
    #expect(try TrackingURI.resolve(environment: [:], defaultDirectory: directory.path) == .fileStore(path: directory.appending("mlruns")))
  }

  @Test("SQLite URIs: relative, absolute, percent-escaped, with a query")
  func sqliteForms() throws {
    let cases: [(String, String)] = [
      ("sqlite:///mlflow.db", "/work/mlflow.db"),
      ("sqlite:///data/../x.db", "/work/x.db"),
      ("sqlite:////abs/x.db", "/abs/x.db"),
      ("sqlite:////abs/a%20b.db", "/abs/a b.db"),
      ("sqlite:////abs/x.db?timeout=20", "/abs/x.db"),
      ("SQLite:////abs/x.db", "/abs/x.db"),
    ]
    for (text, path) in cases {
      #expect(try TrackingURI(parsing: text, relativeTo: "/work", settingName: "test") == .sqlite(path: path), "\(text)")
    }
    #expect(TrackingURI.sqlite(path: "/abs/a b?.db").description == "sqlite:////abs/a%20b%3F.db")
  }

  @Test("File store URIs and plain paths are recognized")
  func fileStoreForms() throws {
    #expect(try TrackingURI(parsing: "file:///abs/mlruns", relativeTo: "/w", settingName: "t") == .fileStore(path: "/abs/mlruns"))
    #expect(try TrackingURI(parsing: "./mlruns", relativeTo: "/w", settingName: "t") == .fileStore(path: "/w/mlruns"))
  }

  @Test("Unusable URIs are refused with the setting and the value named")
  func refusals() {
    let cases = ["sqlite://", "sqlite:///:memory:", "postgresql://u@h/db", "databricks", "http://", "file://host/x"]
    for text in cases {
      let error = #expect(throws: MLflowStoreError.self, "\(text)") {
        try TrackingURI.resolve(environment: ["MLFLOW_TRACKING_URI": text], defaultDirectory: "/", workingDirectory: "/")
      }
      #expect(error?.code == .invalidConfiguration)
      // Named without credentials (`postgresql://u@h/db` as `postgresql://h/db`).
      #expect(error?.message.contains("MLFLOW_TRACKING_URI is '\(TrackingURI.redacted(text))'") == true, "\(error?.message ?? "")")
      #expect(error?.message.contains("u@") == false)
    }
    let error = #expect(throws: MLflowStoreError.self) {
      try TrackingURI.resolve(
        environment: [:], repositorySetting: "mysql://x", repositorySettingName: "git config mlflow.trackingUri",
        defaultDirectory: "/", workingDirectory: "/")
    }
    #expect(error?.message.contains("git config mlflow.trackingUri is 'mysql://x'") == true)
  }
}
