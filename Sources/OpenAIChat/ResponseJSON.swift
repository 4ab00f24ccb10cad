/// Any JSON value, decoded and encoded as is: the provider's whole response, kept for the chat
/// span's outputs so fields this client does not model (tool calls, refusals, logprobs, …)
/// still reach MLflow.
enum ResponseJSON: Sendable, Hashable, Codable {
  case null
  case bool(Bool)
  case integer(Int64)
  case number(Double)
  case string(String)
  case array([ResponseJSON])
  case object([String: ResponseJSON])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let flag = try? container.decode(Bool.self) {
      self = .bool(flag)
    } else if let integer = try? container.decode(Int64.self) {
      self = .integer(integer)
    } else if let number = try? container.decode(Double.self) {
      self = .number(number)
    } else if let text = try? container.decode(String.self) {
      self = .string(text)
    } else if let elements = try? container.decode([ResponseJSON].self) {
      self = .array(elements)
    } else {
      self = .object(try container.decode([String: ResponseJSON].self))
    }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let flag): try container.encode(flag)
    case .integer(let integer): try container.encode(integer)
    case .number(let number): try container.encode(number)
    case .string(let text): try container.encode(text)
    case .array(let elements): try container.encode(elements)
    case .object(let members): try container.encode(members)
    }
  }

  /// The value for `key` when this is an object.
  subscript(key: String) -> ResponseJSON? {
    guard case .object(let members) = self else { return nil }
    return members[key]
  }

  /// The text, when this is a string.
  var stringValue: String? {
    if case .string(let text) = self { return text }
    return nil
  }
}
