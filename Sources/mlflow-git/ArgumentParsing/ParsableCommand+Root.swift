extension ParsableCommand {
  /// Parses a whole command line (without the program name) for the tool whose root command this
  /// is: `-h`/`--help`, `--version`, `help [<command>]`, or a subcommand and its arguments. Returns
  /// the parsed command and the words that selected it (`mlflow-git status`).
  static func parseAsRoot(_ arguments: [String]) throws(CommandLineError) -> (command: any ParsableCommand, path: String) {
    let name = configuration.commandName
    guard !configuration.subcommands.isEmpty else { return (try parse(arguments, commandPath: name), name) }
    func stop(_ reason: CommandLineError.Reason) -> CommandLineError {
      CommandLineError(commandPath: name, command: Self.self, reason: reason)
    }
    guard let first = arguments.first else { throw stop(.missingCommand) }
    switch first {
    case "-h", "--help":
      throw stop(.helpRequested)
    case "--version" where configuration.version != nil:
      throw stop(.versionRequested(configuration.version ?? ""))
    case "help":
      let topics = arguments.dropFirst()
      guard let topic = topics.first else { throw stop(.helpRequested) }
      guard let subcommand = subcommand(named: topic) else { throw stop(.unknownCommand(topic)) }
      if topics.count > 1 { throw stop(.unexpectedArgument(topics[topics.startIndex + 1])) }
      throw CommandLineError(commandPath: name + " " + topic, command: subcommand, reason: .helpRequested)
    default:
      if CommandParser<Self>.looksLikeOption(first) { throw stop(.unknownOption(first)) }
      guard let subcommand = subcommand(named: first) else { throw stop(.unknownCommand(first)) }
      let path = name + " " + first
      return (try subcommand.parse(Array(arguments.dropFirst()), commandPath: path), path)
    }
  }

  static func subcommand(named name: String) -> (any ParsableCommand.Type)? {
    configuration.subcommands.first { $0.configuration.commandName == name }
  }
}
