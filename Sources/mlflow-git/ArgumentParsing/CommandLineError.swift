/// What the parser found wrong with a command line, or a request for help or the version, which
/// end the parse the same way: ``report()`` prints it and gives the exit status.
struct CommandLineError: Error {
  enum Reason: Equatable {
    /// `-h`, `--help`, `help [<command>]`: the command's help, on standard output, status 0.
    case helpRequested
    /// `--version`: the text, on standard output, status 0.
    case versionRequested(String)
    /// No command after the tool's name: the tool's help, on standard error, status 2.
    case missingCommand
    case unknownCommand(String)
    case unknownOption(String)
    /// A flag given a value (`--json=yes`).
    case flagWithValue(flag: String, argument: String)
    /// An option without its value, at the end of the line or before another option.
    case missingValue(label: String)
    /// An option's value the option's type does not take (`--limit abc`).
    case invalidValue(value: String, label: String, expected: String)
    /// A positional argument the command does not take.
    case unexpectedArgument(String)
    /// A required positional argument the line does not give.
    case missingArgument(label: String)
    /// The command's own check failed (``ValidationError``).
    case invalid(String)
  }

  /// `mlflow-git status`: the words that select the command.
  let commandPath: String
  /// The command whose usage and help are shown.
  let command: any ParsableCommand.Type
  let reason: Reason

  /// What is wrong, without the command path (`unexpected argument 'extra'`); `nil` for help and
  /// version requests.
  var message: String? {
    switch reason {
    case .helpRequested, .versionRequested, .missingCommand: nil
    case .unknownCommand(let name): "unknown command '\(name)'"
    case .unknownOption(let option): "unknown option '\(option)'"
    case .flagWithValue(let flag, let argument): "\(flag) takes no value ('\(argument)')"
    case .missingValue(let label): "missing value for \(label)"
    case .invalidValue(let value, let label, let expected): "\(label) takes \(expected), not '\(value)'"
    case .unexpectedArgument(let argument): "unexpected argument '\(argument)'"
    case .missingArgument(let label): "missing \(label)"
    case .invalid(let message): message
    }
  }

  /// Prints the help, the version, or the error with the usage line and where to read more;
  /// returns the status to exit with.
  func report() -> ExitCode {
    let help = command.helpGenerator(commandPath: commandPath)
    switch reason {
    case .helpRequested:
      print(help.help)
      return .success
    case .versionRequested(let version):
      print(version)
      return .success
    case .missingCommand:
      writeStandardError(help.help + "\n")
      return .validationFailure
    default:
      let more =
        if let space = commandPath.lastIndex(of: " ") {
          "'\(commandPath[..<space]) help \(commandPath[commandPath.index(after: space)...])'"
        } else {
          "'\(commandPath) --help'"
        }
      writeStandardError("\(commandPath): \(message ?? "")\nUsage: \(help.usage)\n  See \(more).\n")
      return .validationFailure
    }
  }
}
