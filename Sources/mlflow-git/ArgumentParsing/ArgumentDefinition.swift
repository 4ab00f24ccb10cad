/// One argument a ``ParsableCommand`` declares: a flag, an option with a value, a positional
/// argument, or the arguments it passes through to another program. Each is made by a factory
/// named after what it declares — ``flag(_:_:help:)``, ``option(_:_:valueName:help:)``,
/// ``argument(_:valueName:help:)``, ``passthrough(_:valueName:help:)`` — around a key path to the
/// property that receives the value, converted once to the property's type.
///
/// `Command` is a ``ParsableCommand``, but the type does not require it: a generic requirement
/// makes the runtime look the conformance up in every record of the static executable the
/// first time a command's argument list is made, which every command line would pay for.
struct ArgumentDefinition<Command> {
  enum Kind: Equatable {
    /// `--json`: no value; sets a `Bool` to `true`.
    case flag
    /// `--limit <n>` or `--limit=<n>`: one value.
    case option
    /// `<model>`: the next word that is not an option.
    case positional
    /// `<command> ...`: everything after `--`, or from the first positional word on, as given
    /// (options included), for another program.
    case passthrough
  }

  let kind: Kind
  /// The option's or flag's name with its dashes (`--limit`); empty for positionals.
  let name: String
  /// The placeholder of the value in usage and help (`n` shows as `<n>`); empty for flags.
  let valueName: String
  /// A positional argument the command cannot run without.
  let isRequired: Bool
  /// What the argument does, one or more sentences.
  let help: String
  /// The text of the property's default value in a default command, shown in help.
  let defaultValue: (Command) -> String?
  /// Writes the value (the words for a passthrough, none for a flag) into the command.
  let assign: (inout Command, [String]) throws(InvalidArgumentValue) -> Void

  /// `--limit <n>`, `<model>`, `<command> ...`: how help names the argument.
  var label: String {
    switch kind {
    case .flag: name
    case .option: "\(name) <\(valueName)>"
    case .positional: "<\(valueName)>"
    case .passthrough: "<\(valueName)> ..."
    }
  }

  /// `[--limit <n>]`, `[<model>]`, `[--] <command> ...`: how the usage line shows it.
  var usage: String {
    switch kind {
    case .flag, .option: "[\(label)]"
    case .positional: isRequired ? label : "[\(label)]"
    case .passthrough: isRequired ? "[--] \(label)" : "[--] [\(label)]"
    }
  }
}

/// A value the command line gave that the property's type does not take.
struct InvalidArgumentValue: Error {
  /// What the type takes (`a whole number`).
  let expected: String
}
