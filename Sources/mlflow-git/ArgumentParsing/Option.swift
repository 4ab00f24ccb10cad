extension ArgumentDefinition {
  /// An option with one value, `--limit 20` or `--limit=20`, converted to `Value`; the property's
  /// initial value is the default help shows. The last occurrence wins.
  static func option<Value: ExpressibleByArgument & CustomStringConvertible>(
    _ name: String, _ keyPath: WritableKeyPath<Command, Value>, valueName: String, help: String
  ) -> Self {
    Self(
      kind: .option, name: name, valueName: valueName, isRequired: false, help: help,
      defaultValue: { $0[keyPath: keyPath].description },
      assign: { command, words throws(InvalidArgumentValue) in command[keyPath: keyPath] = try convert(words[0]) })
  }

  /// An option with one value and no default (`nil` when it is not given).
  static func option<Value: ExpressibleByArgument>(
    _ name: String, _ keyPath: WritableKeyPath<Command, Value?>, valueName: String, help: String
  ) -> Self {
    Self(
      kind: .option, name: name, valueName: valueName, isRequired: false, help: help, defaultValue: { _ in nil },
      assign: { command, words throws(InvalidArgumentValue) in command[keyPath: keyPath] = try convert(words[0]) })
  }

  static func convert<Value: ExpressibleByArgument>(_ word: String) throws(InvalidArgumentValue) -> Value {
    guard let value = Value(argument: word) else { throw InvalidArgumentValue(expected: Value.expectedValue) }
    return value
  }
}
