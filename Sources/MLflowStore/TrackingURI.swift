#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Where MLflow data goes: a local SQLite database, a tracking server, or MLflow's legacy
/// `./mlruns` file store.
///
/// # Usage
/// ```swift
/// let uri = try TrackingURI.resolve(
///   repositorySetting: gitConfigTrackingURI,      // e.g. from `git config mlflow.trackingUri`
///   repositorySettingName: "git config mlflow.trackingUri",
///   defaultDirectory: repository.workTree)
/// if case .sqlite(let path) = uri {
///   let store = try SQLiteTrackingStore(databasePath: path)
///   print("models and traces in", store.databasePath)
/// }
/// ```
public enum TrackingURI: Sendable, Hashable, CustomStringConvertible {
  /// An SQLite database file (`sqlite:///…`), as an absolute, normalized path.
  case sqlite(path: String)
  /// A tracking server (`http://…` or `https://…`), without a trailing `/`. The URL is kept as
  /// given, credentials (`https://user:password@host`) included, to connect with; everything
  /// that prints, logs or stores the URI uses ``description``, which has none.
  case server(url: String)
  /// MLflow's file store (`file:…`, or an existing `./mlruns`), as an absolute path. MLflow 3.13+
  /// refuses it unless `MLFLOW_ALLOW_FILE_STORE=true`; mlflow-git does not write it.
  case fileStore(path: String)

  /// The variable MLflow reads the tracking URI from.
  public static let environmentVariable = "MLFLOW_TRACKING_URI"

  /// The URI text, e.g. `sqlite:////src/app/mlflow.db`, without credentials: what is printed,
  /// logged and stored (an index key, an undelivered version's record, a journaled trace).
  public var description: String {
    switch self {
    case .sqlite(let path): "sqlite:///" + TrackingURI.percentEncodedPath(path)
    case .server(let url): TrackingURI.redacted(url)
    case .fileStore(let path): "file://" + TrackingURI.percentEncodedPath(path)
    }
  }

  /// `text` without the user information of its authority (`https://alice:secret@host/x` →
  /// `https://host/x`): the one redaction of every URI mlflow-git prints, logs or stores. Text
  /// without `://` is returned as it is.
  package static func redacted(_ text: String) -> String {
    guard let schemeEnd = text.firstRange(of: "://") else { return text }
    let rest = text[schemeEnd.upperBound...]
    let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
    guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
    return String(text[..<schemeEnd.upperBound]) + rest[rest.index(after: at)...]
  }

  /// The URI to connect to the store that `stored` names — a ``description`` recorded earlier,
  /// which has no credentials: `MLFLOW_TRACKING_URI` from `environment` when it names the same
  /// store (it may carry the credentials the record left out), else `stored` itself. Basic and
  /// token credentials from `MLFLOW_TRACKING_USERNAME`/`_PASSWORD`/`_TOKEN` apply either way.
  package static func reconnecting(
    to stored: String, environment: [String: String], relativeTo workingDirectory: String, settingName: String
  ) throws(MLflowStoreError) -> TrackingURI {
    let parsed = try TrackingURI(parsing: stored, relativeTo: workingDirectory, settingName: settingName)
    if case .server = parsed, let current = environment[environmentVariable],
      let uri = try? TrackingURI(parsing: current, relativeTo: workingDirectory, settingName: environmentVariable),
      uri.description == parsed.description
    {
      return uri
    }
    return parsed
  }

  /// The tracking URI in effect, chosen as MLflow chooses it (minus `mlflow.set_tracking_uri`):
  /// `MLFLOW_TRACKING_URI` when set and not empty, then the repository's setting, then MLflow's
  /// default `sqlite:///mlflow.db` in `defaultDirectory`, or the file store when that directory
  /// already has MLflow file store data (`mlruns/<digits>/meta.yaml`), as MLflow does.
  ///
  /// - Parameters:
  ///   - environment: The variables to read; by default this process's environment.
  ///   - repositorySetting: A tracking URI configured for the repository, if any.
  ///   - repositorySettingName: How to name that setting in error messages.
  ///   - defaultDirectory: The directory of the default database (MLflow uses its working
  ///     directory; mlflow-git passes the repository's root). Relative paths are resolved
  ///     against `workingDirectory`.
  ///   - workingDirectory: What relative paths are relative to; by default the current directory.
  /// - Throws: `.invalidConfiguration` naming the setting and its value.
  public static func resolve(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    repositorySetting: String? = nil,
    repositorySettingName: String = "the repository's tracking URI setting",
    defaultDirectory: String,
    workingDirectory: String = FileManager.default.currentDirectoryPath
  ) throws(MLflowStoreError) -> TrackingURI {
    if let value = environment[environmentVariable], !value.isEmpty {
      return try TrackingURI(parsing: value, relativeTo: workingDirectory, settingName: environmentVariable)
    }
    if let value = repositorySetting, !value.isEmpty {
      return try TrackingURI(parsing: value, relativeTo: workingDirectory, settingName: repositorySettingName)
    }
    let directory = absolute(defaultDirectory, relativeTo: workingDirectory)
    if hasFileStoreData(in: directory + "/mlruns") {
      return .fileStore(path: directory + "/mlruns")
    }
    return .sqlite(path: absolute("mlflow.db", relativeTo: directory))
  }

  /// Parses a tracking URI.
  ///
  /// `sqlite:///relative/x.db` is relative to `workingDirectory`, `sqlite:////abs/x.db` is
  /// absolute; `%XX` escapes are decoded and a `?query` is ignored, as SQLAlchemy does.
  /// `file:` URIs and plain paths are the file store.
  ///
  /// - Parameters:
  ///   - text: The URI.
  ///   - workingDirectory: What relative paths are relative to.
  ///   - settingName: Where the value came from, for error messages.
  /// - Throws: `.invalidConfiguration` for in-memory SQLite, SQLite URIs with a host, and
  ///   schemes mlflow-git does not support (`databricks`, `postgresql`, …).
  public init(parsing text: String, relativeTo workingDirectory: String, settingName: String) throws(MLflowStoreError) {
    let scheme = text.lowercased() == "databricks"
      ? "databricks" : text.firstIndex(of: ":").map { String(text[..<$0]).lowercased() }
    switch scheme {
    case "sqlite":
      guard text.lowercased().hasPrefix("sqlite:///") else {
        throw MLflowStoreError(
          code: .invalidConfiguration,
          message: "\(settingName) is '\(text)', an SQLite URI without a file path; use "
            + "sqlite:///relative/path.db or sqlite:////absolute/path.db")
      }
      var path = String(text.dropFirst("sqlite:///".count))
      if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
      path = TrackingURI.percentDecoded(path)
      guard !path.isEmpty, path != ":memory:" else {
        throw MLflowStoreError(
          code: .invalidConfiguration,
          message: "\(settingName) is '\(text)', an in-memory SQLite database that no other process "
            + "can read; use a file, e.g. sqlite:///mlflow.db")
      }
      self = .sqlite(path: TrackingURI.absolute(path, relativeTo: workingDirectory))
    case let web? where web == "http" || web == "https":
      var url = text
      while url.hasSuffix("/") { url.removeLast() }
      guard url.count > web.count + 3 else {
        throw MLflowStoreError(
          code: .invalidConfiguration,
          message: "\(settingName) is '\(TrackingURI.redacted(text))', a server URI without a host; use e.g. http://127.0.0.1:5000")
      }
      self = .server(url: url)
    case "file":
      var path = String(text.dropFirst("file:".count))
      if path.hasPrefix("//") {
        path = String(path.dropFirst(2))
        guard path.hasPrefix("/") else {
          throw MLflowStoreError(
            code: .invalidConfiguration,
            message: "\(settingName) is '\(text)', a file URI with a host; use file:///absolute/path")
        }
      }
      self = .fileStore(path: TrackingURI.absolute(TrackingURI.percentDecoded(path), relativeTo: workingDirectory))
    case nil:
      self = .fileStore(path: TrackingURI.absolute(text, relativeTo: workingDirectory))
    case let other?:
      throw MLflowStoreError(
        code: .invalidConfiguration,
        message: "\(settingName) is '\(TrackingURI.redacted(text))', whose scheme '\(other)' mlflow-git does not support; "
          + "use sqlite:///path/to/mlflow.db or an http(s):// tracking server")
    }
  }

  /// `true` when `mlruns` holds an experiment of MLflow's file store (`<digits>/meta.yaml`).
  private static func hasFileStoreData(in mlruns: String) -> Bool {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: mlruns) else { return false }
    return entries.contains { entry in
      !entry.isEmpty && entry.allSatisfy(\.isASCII) && entry.allSatisfy(\.isNumber)
        && FileManager.default.fileExists(atPath: mlruns + "/" + entry + "/meta.yaml")
    }
  }

  /// `path` made absolute against `base` and normalized (`.` and `..` removed), as Python's
  /// `os.path.abspath` does.
  static func absolute(_ path: String, relativeTo base: String) -> String {
    let joined = path.hasPrefix("/") ? path : base + "/" + path
    var parts: [Substring] = []
    for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
      switch part {
      case ".": continue
      case "..": if !parts.isEmpty { parts.removeLast() }
      default: parts.append(part)
      }
    }
    return "/" + parts.joined(separator: "/")
  }

  private static func percentDecoded(_ text: String) -> String {
    guard text.contains("%") else { return text }
    var bytes: [UInt8] = []
    var utf8 = Array(text.utf8)[...]
    while let byte = utf8.popFirst() {
      if byte == UInt8(ascii: "%"), utf8.count >= 2,
        let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
      {
        bytes.append(value)
        utf8 = utf8.dropFirst(2)
      } else {
        bytes.append(byte)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// `path` with everything but unreserved characters and `/` percent-encoded, so SQLAlchemy
  /// and MLflow read the same path back.
  static func percentEncodedPath(_ path: String) -> String {
    var output = ""
    for byte in path.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"), UInt8(ascii: "/"):
        output.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let hex = String(byte, radix: 16, uppercase: true)
        output += "%" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return output
  }
}
