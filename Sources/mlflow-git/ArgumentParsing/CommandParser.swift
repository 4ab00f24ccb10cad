/// Parses a command line against the arguments a ``ParsableCommand`` declares.
///
/// - `--name value` and `--name=value`; a value that starts with `-` needs the `=` form.
/// - `-h` and `--help` anywhere before `--` (or before a passthrough) ask for help, which wins
///   over any error in the same line.
/// - Positional words fill the declared positionals in order; one too many is an error naming it.
/// - `--` ends options: what follows is positional, or the passthrough's words.
///
/// Values are converted to their properties' types here, once; then ``ParsableCommand/validate()``
/// runs. Everything wrong is a ``CommandLineError`` naming the argument.
struct CommandParser<Command: ParsableCommand> {
  /// `mlflow-git status`: the words that selected the command, for messages.
  let commandPath: String

  func parse(_ arguments: [String]) throws(CommandLineError) -> Command {
    let definitions = Command.arguments
    let positionals = definitions.filter { $0.kind == .positional || $0.kind == .passthrough }
    var command = Command()
    var filled = 0
    var helpRequested = false
    var firstProblem: CommandLineError.Reason?
    func note(_ problem: CommandLineError.Reason) { if firstProblem == nil { firstProblem = problem } }
    func assign(_ definition: ArgumentDefinition<Command>, _ words: [String], given: String) {
      do {
        try definition.assign(&command, words)
      } catch {
        note(.invalidValue(value: given, label: definition.label, expected: error.expected))
      }
    }

    var index = 0
    scan: while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if argument == "--" {
        let rest = Array(arguments[index...])
        if filled < positionals.count, positionals[filled].kind == .passthrough {
          if !rest.isEmpty { assign(positionals[filled], rest, given: rest[0]) }
          filled += rest.isEmpty ? 0 : 1
        } else {
          for word in rest {
            guard filled < positionals.count else {
              note(.unexpectedArgument(word))
              break
            }
            assign(positionals[filled], [word], given: word)
            filled += 1
          }
        }
        break scan
      }
      if argument == "-h" || argument == "--help" {
        helpRequested = true
        continue
      }
      if argument.hasPrefix("-") && argument != "-" {
        let (name, inlineValue) = Self.split(argument)
        guard let definition = definitions.first(where: { $0.name == name && !$0.name.isEmpty }) else {
          note(.unknownOption(argument))
          continue
        }
        if definition.kind == .flag {
          if inlineValue != nil { note(.flagWithValue(flag: name, argument: argument)) }
          assign(definition, [], given: argument)
          continue
        }
        if let inlineValue {
          assign(definition, [inlineValue], given: inlineValue)
        } else if index < arguments.count, !Self.looksLikeOption(arguments[index]) {
          assign(definition, [arguments[index]], given: arguments[index])
          index += 1
        } else {
          note(.missingValue(label: definition.label))
        }
        continue
      }
      guard filled < positionals.count else {
        note(.unexpectedArgument(argument))
        continue
      }
      let definition = positionals[filled]
      filled += 1
      if definition.kind == .passthrough {
        assign(definition, Array(arguments[(index - 1)...]), given: argument)
        break scan
      }
      assign(definition, [argument], given: argument)
    }

    if helpRequested { throw error(.helpRequested) }
    if let firstProblem { throw error(firstProblem) }
    if let missing = positionals[filled...].first(where: { $0.isRequired }) { throw error(.missingArgument(label: "<\(missing.valueName)>")) }
    do {
      try command.validate()
    } catch {
      throw self.error(.invalid(error.message))
    }
    return command
  }

  private func error(_ reason: CommandLineError.Reason) -> CommandLineError {
    CommandLineError(commandPath: commandPath, command: Command.self, reason: reason)
  }

  /// `--limit=20` → (`--limit`, `20`); `--limit` → (`--limit`, nil). Only long options take `=`.
  static func split(_ argument: String) -> (name: String, value: String?) {
    guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
    return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
  }

  /// A word that is an option or `--`, not a value: it starts with `-` and is not `-` alone or a
  /// negative number.
  static func looksLikeOption(_ word: String) -> Bool {
    word.hasPrefix("-") && word != "-" && Int(word) == nil
  }
}
