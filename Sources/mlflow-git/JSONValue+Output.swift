import MLflowStore

extension JSONValue {
  /// An integer field of the CLI's `--json` output.
  static func int(_ value: some BinaryInteger) -> JSONValue { .integer(Int64(value)) }

  /// A JSON object with its keys in the given order, as text.
  static func objectText(_ fields: [(key: String, value: JSONValue)]) -> String { JSONValue.object(fields).pythonJSON }
}
