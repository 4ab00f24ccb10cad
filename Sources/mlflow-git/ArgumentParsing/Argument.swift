extension ArgumentDefinition {
  /// An optional positional argument: the next word that is not an option, converted to `Value`
  /// (`nil` when the command line has none).
  static func argument<Value: ExpressibleByArgument>(
    _ keyPath: WritableKeyPath<Command, Value?>, valueName: String, help: String
  ) -> Self {
    Self(
      kind: .positional, name: "", valueName: valueName, isRequired: false, help: help, defaultValue: { _ in nil },
      assign: { command, words throws(InvalidArgumentValue) in command[keyPath: keyPath] = try convert(words[0]) })
  }

  /// The words another program receives: everything after `--`, or from the first positional
  /// word on, untouched — so `mlflow-git exec python app.py --help` gives `--help` to the program.
  /// Required: the command is a usage error without them.
  static func passthrough(_ keyPath: WritableKeyPath<Command, [String]>, valueName: String, help: String) -> Self {
    Self(
      kind: .passthrough, name: "", valueName: valueName, isRequired: true, help: help, defaultValue: { _ in nil },
      assign: { command, words in command[keyPath: keyPath] = words })
  }
}
