extension ArgumentDefinition {
  /// A flag: `name` (`--json`) sets the `Bool` at `keyPath` to `true`; it takes no value.
  static func flag(_ name: String, _ keyPath: WritableKeyPath<Command, Bool>, help: String) -> Self {
    Self(
      kind: .flag, name: name, valueName: "", isRequired: false, help: help, defaultValue: { _ in nil },
      assign: { command, _ in command[keyPath: keyPath] = true })
  }
}
