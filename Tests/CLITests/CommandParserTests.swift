import Testing

@testable import mlflow_git

/// A command with one argument of each kind but passthrough, as a tool would declare them.
private struct Sample: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "sample", abstract: "One argument of each kind.")
  static var arguments: [ArgumentDefinition<Self>] {
    [
      .argument(\.target, valueName: "target", help: "What to work on."),
      .flag("--json", \.json, help: "Print JSON."),
      .option("--limit", \.limit, valueName: "n", help: "At most this many."),
      .option("--name", \.name, valueName: "name", help: "A name, without a default."),
    ]
  }
  var target: String?
  var json = false
  var limit = 10
  var name: String?

  func validate() throws(ValidationError) {
    guard limit > 0 else { throw ValidationError("--limit takes a positive number, not \(limit)") }
  }

  func run() async -> ExitCode { .success }
}

/// A command that runs another program, as `exec` does.
private struct Launcher: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "launch", abstract: "Run a program.")
  static var arguments: [ArgumentDefinition<Self>] {
    [
      .option("--remote", \.remote, valueName: "name", help: "A remote."),
      .passthrough(\.command, valueName: "command", help: "The program and its arguments."),
    ]
  }
  var remote = "origin"
  var command: [String] = []

  func run() async -> ExitCode { .success }
}

/// Parses `arguments` as `Command`, or returns why the parse stopped.
private func parse<Command: ParsableCommand>(_: Command.Type, _ arguments: String...) -> Result<
  Command, CommandLineError
> {
  Result { () throws(CommandLineError) in try Command.parse(arguments, commandPath: "tool sample") }
}

private func reason<Command: ParsableCommand>(_ type: Command.Type, _ arguments: String...) -> CommandLineError.Reason? {
  do {
    _ = try Command.parse(arguments, commandPath: "tool sample")
    return nil
  } catch {
    return error.reason
  }
}

@Suite("CLI parsing: declared arguments to typed values, wrong usage to errors naming the argument")
struct CommandParserTests {
  @Test("nothing given: every property keeps its declared default")
  func defaults() throws {
    let sample = try parse(Sample.self).get()
    #expect(sample.target == nil && !sample.json && sample.limit == 10 && sample.name == nil)
  }

  @Test("--opt value and --opt=value give the same typed value; the last occurrence wins")
  func optionForms() throws {
    #expect(try parse(Sample.self, "--limit", "5").get().limit == 5)
    #expect(try parse(Sample.self, "--limit=5").get().limit == 5)
    #expect(try parse(Sample.self, "--limit", "5", "--limit=7").get().limit == 7)
    #expect(try parse(Sample.self, "--name=a=b").get().name == "a=b", "only the first = separates")
    #expect(try parse(Sample.self, "--name=").get().name == "", "an empty value is a value")
    #expect(try parse(Sample.self, "--name=-x").get().name == "-x", "a value starting with - needs =")
    let mixed = try parse(Sample.self, "here", "--json", "--name", "n").get()
    #expect(mixed.target == "here" && mixed.json && mixed.name == "n")
  }

  @Test("an unknown option is named")
  func unknownOption() {
    #expect(reason(Sample.self, "--bogus") == .unknownOption("--bogus"))
    #expect(reason(Sample.self, "-x") == .unknownOption("-x"))
    #expect(reason(Sample.self, "--bogus=1") == .unknownOption("--bogus=1"))
  }

  @Test("an option without its value: at the end, or before another option")
  func missingValue() {
    #expect(reason(Sample.self, "--limit") == .missingValue(label: "--limit <n>"))
    #expect(reason(Sample.self, "--name", "--json") == .missingValue(label: "--name <name>"))
    #expect(reason(Sample.self, "--name", "--") == .missingValue(label: "--name <name>"))
  }

  @Test("a value the option's type does not take is converted once and refused, naming option and value")
  func invalidValue() {
    #expect(reason(Sample.self, "--limit", "abc") == .invalidValue(value: "abc", label: "--limit <n>", expected: "a whole number"))
    #expect(reason(Sample.self, "--limit=1.5") == .invalidValue(value: "1.5", label: "--limit <n>", expected: "a whole number"))
    #expect(reason(Sample.self, "--limit", "-3") == .invalid("--limit takes a positive number, not -3"), "a negative number is a value")
  }

  @Test("a flag given a value is an error")
  func flagWithValue() {
    #expect(reason(Sample.self, "--json=yes") == .flagWithValue(flag: "--json", argument: "--json=yes"))
  }

  @Test("a positional argument the command does not take is named")
  func unexpectedArgument() {
    #expect(reason(Sample.self, "one", "two") == .unexpectedArgument("two"))
    #expect(reason(Sample.self, "one", "--", "two") == .unexpectedArgument("two"))
  }

  @Test("after --, words are positional even when they look like options; - alone is a positional")
  func terminator() throws {
    let sample = try parse(Sample.self, "--", "--json").get()
    #expect(sample.target == "--json" && !sample.json)
    #expect(try parse(Sample.self, "-").get().target == "-")
  }

  @Test("-h and --help ask for help, before any error in the same line; not after --")
  func help() {
    #expect(reason(Sample.self, "--help") == .helpRequested)
    #expect(reason(Sample.self, "-h") == .helpRequested)
    #expect(reason(Sample.self, "one", "two", "--bogus", "--help") == .helpRequested)
    #expect(reason(Sample.self, "--", "--help") == nil, "after --, --help is the positional")
  }

  @Test("validate() runs after parsing; its error is a usage error")
  func validation() {
    #expect(reason(Sample.self, "--limit", "0") == .invalid("--limit takes a positive number, not 0"))
  }

  @Test("a passthrough takes everything from the program's name on, or after --, --help included")
  func passthrough() throws {
    let plain = try parse(Launcher.self, "python", "app.py", "--help", "--remote", "x").get()
    #expect(plain.command == ["python", "app.py", "--help", "--remote", "x"] && plain.remote == "origin")
    let separated = try parse(Launcher.self, "--remote=up", "--", "sh", "-c", "echo").get()
    #expect(separated.command == ["sh", "-c", "echo"] && separated.remote == "up")
    #expect(try parse(Launcher.self, "--", "--help").get().command == ["--help"])
    #expect(reason(Launcher.self, "--help", "--", "sh") == .helpRequested, "--help before -- is the command's")
    #expect(reason(Launcher.self) == .missingArgument(label: "<command>"))
    #expect(reason(Launcher.self, "--") == .missingArgument(label: "<command>"))
    #expect(reason(Launcher.self, "--remote", "up") == .missingArgument(label: "<command>"))
  }
}

@Suite("CLI parsing: mlflow-git's root command")
struct RootCommandTests {
  private func root(_ arguments: String...) -> Result<(command: any ParsableCommand, path: String), CommandLineError> {
    Result { () throws(CommandLineError) in try MLflowGit.parseAsRoot(arguments) }
  }

  private func stop(_ arguments: String...) -> (reason: CommandLineError.Reason, command: String, path: String)? {
    guard case .failure(let error) = Result(catching: { () throws(CommandLineError) in try MLflowGit.parseAsRoot(arguments) })
    else { return nil }
    return (error.reason, error.command.configuration.commandName, error.commandPath)
  }

  @Test("a command's arguments are parsed into its type, named by its path")
  func subcommand() throws {
    let parsed = try root("versions", "--limit=20", "--json").get()
    let versions = try #require(parsed.command as? VersionsCommand)
    #expect(versions.limit == 20 && versions.json && versions.remote == "origin")
    #expect(parsed.path == "mlflow-git versions")
    let exec = try #require(try root("exec", "python", "--help").get().command as? ExecCommand)
    #expect(exec.command == ["python", "--help"], "exec's program keeps its own --help")
  }

  @Test("help, help <command>, --help, --version, no command, unknown command or option")
  func rootWords() {
    #expect(stop("--help")?.reason == .helpRequested && stop("-h")?.command == "mlflow-git")
    #expect(stop("help")?.reason == .helpRequested && stop("help")?.command == "mlflow-git")
    #expect(stop("help", "status")?.reason == .helpRequested)
    #expect(stop("help", "status")?.command == "status" && stop("help", "status")?.path == "mlflow-git status")
    #expect(stop("help", "nope")?.reason == .unknownCommand("nope"))
    #expect(stop("help", "status", "extra")?.reason == .unexpectedArgument("extra"))
    #expect(stop("--version")?.reason == .versionRequested(SourceVersion.description))
    #expect(stop()?.reason == .missingCommand)
    #expect(stop("nope")?.reason == .unknownCommand("nope"))
    #expect(stop("--json", "status")?.reason == .unknownOption("--json"))
  }

  @Test("usage errors of a command name the command, the argument and the option")
  func commandErrors() {
    #expect(stop("status", "extra")?.reason == .unexpectedArgument("extra"))
    #expect(stop("status", "extra")?.path == "mlflow-git status")
    #expect(stop("versions", "--limit", "abc")?.reason == .invalidValue(value: "abc", label: "--limit <n>", expected: "a whole number"))
    #expect(stop("traces", "--limit=0")?.reason == .invalid("--limit takes a positive number, not 0"))
    #expect(stop("backfill", "--limit", "0")?.reason == .invalid("--limit takes a positive number, not 0"))
    #expect(stop("diff", "m-1", "m-2")?.reason == .unexpectedArgument("m-2"))
    #expect(stop("exec")?.reason == .missingArgument(label: "<command>"))
    #expect(stop("sync", "--background=1")?.reason == .flagWithValue(flag: "--background", argument: "--background=1"))
  }
}
