import MLflowStore

extension TrackingURI {
  /// The URI as text for messages and reports: a tracking server's `user:password@` is
  /// replaced by `***@`.
  ///
  /// ```swift
  /// TrackingURI.server(url: "https://ci:s3cret@mlflow.example.com").redactedDescription
  /// // https://***@mlflow.example.com
  /// ```
  public var redactedDescription: String { ServerURL.redacted(description) }

  /// `text`, a tracking URI, with a server URL's credentials replaced by `***@`.
  public static func redacted(_ text: String) -> String { ServerURL.redacted(text) }
}
