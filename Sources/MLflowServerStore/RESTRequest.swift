import MLflowStore

/// One call of MLflow's REST API: where it goes, what it carries, whether repeating it is
/// harmless, and what "does not exist" means for it.
struct RESTRequest: Sendable {
  /// `GET`, `POST`, `PATCH` or `DELETE`.
  let method: String
  /// The path after the server's base URL, each segment already percent-encoded.
  let path: String
  /// Query parameters (GET requests carry their fields here).
  var query: [(name: String, value: String)] = []
  /// The JSON body, if any.
  var body: JSONValue?
  /// Extra headers, e.g. `x-mlflow-experiment-id` for OTLP.
  var headers: [(name: String, value: String)] = []
  /// `false` for requests that create something: they are never repeated once the server may
  /// have processed them, so a lost answer cannot make a duplicate.
  var idempotent = true
  /// What `RESOURCE_DOES_NOT_EXIST` means for this call.
  var notFound: MLflowStoreError.Code = .invalidArgument
  /// What the call does, for messages: e.g. `create a logged model`.
  let action: String

  init(_ method: String, _ path: String, action: String) {
    self.method = method
    self.path = path
    self.action = action
  }

  /// `segment` percent-encoded for a URL path or query (everything but unreserved characters).
  static func encode(_ segment: String) -> String {
    var output = ""
    for byte in segment.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"):
        output.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let hex = String(byte, radix: 16, uppercase: true)
        output += "%" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return output
  }
}
