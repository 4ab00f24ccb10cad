/// A command of a command-line tool, in the shape of swift-argument-parser's: a static
/// ``configuration`` (name, abstract, discussion, subcommands), the ``arguments`` it declares,
/// properties that hold their values (a property's initial value is its default), a
/// ``validate()`` step and a ``run()``.
///
/// ```swift
/// struct Greet: ParsableCommand {
///   static let configuration = CommandConfiguration(commandName: "greet", abstract: "Say hello.")
///   static var arguments: [ArgumentDefinition<Self>] {
///     [
///       .argument(\.name, valueName: "name", help: "Who to greet."),
///       .option("--times", \.times, valueName: "n", help: "How many times."),
///     ]
///   }
///   var name: String?
///   var times = 1
///
///   func validate() throws(ValidationError) {
///     guard times > 0 else { throw ValidationError("--times takes a positive number, not \(times)") }
///   }
///
///   func run() async throws -> ExitCode {
///     for _ in 0..<times { print("hello, \(name ?? "world")") }
///     return .success
///   }
/// }
/// ```
///
/// The usage line and the ARGUMENTS and OPTIONS sections of `--help` are generated from the
/// declarations (``HelpGenerator``); the parser (``CommandParser``) converts each value once, into
/// the property's type, and reports wrong usage as a ``CommandLineError`` (exit status 2).
protocol ParsableCommand: Sendable {
  /// The command's name, abstract, discussion and subcommands.
  static var configuration: CommandConfiguration { get }

  /// The flags, options and positional arguments the command takes, in the order help lists them.
  static var arguments: [ArgumentDefinition<Self>] { get }

  /// A command with every property at its default.
  init()

  /// Checks the parsed values together; a ``ValidationError`` is a usage error (exit status 2).
  func validate() throws(ValidationError)

  /// Does the command's work and returns its exit status. A thrown ``ExitCode`` exits with that
  /// status silently, a ``ValidationError`` is a usage error, any other error is printed (exit 1).
  func run() async throws -> ExitCode

  /// Parses this command's arguments; `commandPath` names it in messages. Implemented once, in
  /// an extension; a requirement so that each command gets a parser specialized for it: a
  /// generic one, reached through `any ParsableCommand.Type`, makes the runtime look up
  /// conformances in every record of the static executable on first use.
  static func parse(_ arguments: [String], commandPath: String) throws(CommandLineError) -> Self

  /// The command's help and usage line, for `commandPath`; implemented once, in an extension
  /// (a requirement for the same reason as ``parse(_:commandPath:)``).
  static func helpGenerator(commandPath: String) -> HelpGenerator
}

extension ParsableCommand {
  static var arguments: [ArgumentDefinition<Self>] { [] }

  func validate() throws(ValidationError) {}

  /// A command that only groups subcommands prints its help.
  func run() async throws -> ExitCode {
    print(Self.helpGenerator(commandPath: Self.configuration.commandName).help)
    return .success
  }

  static func parse(_ arguments: [String], commandPath: String) throws(CommandLineError) -> Self {
    try CommandParser<Self>(commandPath: commandPath).parse(arguments)
  }

  static func helpGenerator(commandPath: String) -> HelpGenerator {
    HelpGenerator(for: Self.self, commandPath: commandPath)
  }

  /// Runs the command, turning what it throws into an exit status as ``run()`` describes.
  func runReportingErrors(commandPath: String) async -> ExitCode {
    do {
      return try await run()
    } catch let code as ExitCode {
      return code
    } catch let error as ValidationError {
      return CommandLineError(commandPath: commandPath, command: Self.self, reason: .invalid(error.message)).report()
    } catch {
      writeStandardError("\(commandPath): \(error)\n")
      return .failure
    }
  }
}
