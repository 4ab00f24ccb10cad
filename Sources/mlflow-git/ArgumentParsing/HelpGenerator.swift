/// A command's help, made from its configuration and declared arguments:
///
/// ```
/// OVERVIEW: <abstract>
///
/// <discussion>
///
/// USAGE: <command path> <each argument's usage>
///
/// ARGUMENTS:
///   <model>                 <help>
///
/// OPTIONS:
///   --limit <n>             <help> (default: 200)
///   -h, --help              Show help information.
///
/// COMMANDS:                 (a command with subcommands)
///   status                  <abstract>
/// ```
///
/// Text is wrapped at ``width`` columns, help beside labels in a column of its own.
struct HelpGenerator {
  /// The column help text is wrapped at: fixed, so help is the same in every terminal and in tests.
  static let width = 80
  /// Where an argument's help starts; a longer label puts its help on the next line.
  static let helpColumn = 26

  private struct Row {
    var label: String
    var help: String
  }

  private let configuration: CommandConfiguration
  private let commandPath: String
  private let usageItems: [String]
  private let argumentRows: [Row]
  private let optionRows: [Row]

  init(for command: any ParsableCommand.Type, commandPath: String) {
    configuration = command.configuration
    self.commandPath = commandPath
    (usageItems, argumentRows, optionRows) = Self.rows(command)
  }

  private static func rows<Command: ParsableCommand>(_ command: Command.Type) -> ([String], [Row], [Row]) {
    let definitions = Command.arguments
    let defaults = Command()
    var usage = definitions.map(\.usage)
    var arguments: [Row] = []
    var options: [Row] = []
    for definition in definitions {
      var help = definition.help
      if let value = definition.defaultValue(defaults) { help += " (default: \(value))" }
      switch definition.kind {
      case .flag, .option: options.append(Row(label: definition.label, help: help))
      case .positional, .passthrough: arguments.append(Row(label: definition.label, help: help))
      }
    }
    if !Command.configuration.subcommands.isEmpty {
      usage = ["<command>", "[<options>]"]
      if Command.configuration.version != nil {
        options.append(Row(label: "--version", help: "Show the version of this build."))
      }
    }
    options.append(Row(label: "-h, --help", help: "Show help information."))
    return (usage, arguments, options)
  }

  /// `mlflow-git versions [--json] [--limit <n>] [--remote <name>]`.
  var usage: String { ([commandPath] + usageItems).joined(separator: " ") }

  /// The whole help text, without a final line break.
  var help: String {
    var sections = [Self.wrap("OVERVIEW: " + configuration.abstract, indent: 0)]
    for paragraph in Self.paragraphs(configuration.discussion) { sections.append(Self.wrap(paragraph, indent: 0)) }
    sections.append(String(Self.wrap(words: ["USAGE:", commandPath] + usageItems, indent: 7).dropFirst(7)))
    if !argumentRows.isEmpty { sections.append("ARGUMENTS:\n" + argumentRows.map(Self.format).joined(separator: "\n")) }
    sections.append("OPTIONS:\n" + optionRows.map(Self.format).joined(separator: "\n"))
    let subcommands = configuration.subcommands
    if !subcommands.isEmpty {
      let rows = subcommands.map { Row(label: $0.configuration.commandName, help: $0.configuration.abstract) }
        + [Row(label: "help", help: "Show a command's help (the same as <command> --help).")]
      sections.append("COMMANDS:\n" + rows.map(Self.format).joined(separator: "\n"))
      sections.append("  See '\(commandPath) help <command>' for a command's arguments and options.")
    }
    return sections.joined(separator: "\n\n")
  }

  /// `  --limit <n>             The most versions to list.`, wrapped under the help column.
  private static func format(_ row: Row) -> String {
    let label = "  " + row.label
    let help = wrap(row.help, indent: helpColumn)
    if label.count + 2 <= helpColumn {
      return label + String(repeating: " ", count: helpColumn - label.count) + help.dropFirst(helpColumn)
    }
    return label + "\n" + help
  }

  /// The discussion's paragraphs: separated by blank lines, their line breaks made spaces.
  private static func paragraphs(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false)
      .split(whereSeparator: { $0.allSatisfy(\.isWhitespace) })
      .map { $0.joined(separator: " ") }
  }

  /// `text`'s words in lines of at most ``width`` columns, each line indented by `indent` spaces
  /// (the first line too). A word longer than a line gets a line of its own; a `code span` is
  /// one word.
  static func wrap(_ text: String, indent: Int) -> String {
    wrap(words: words(text), indent: indent)
  }

  /// `words` in lines of at most ``width`` columns, as ``wrap(_:indent:)``.
  static func wrap(words: [String], indent: Int) -> String {
    let margin = String(repeating: " ", count: indent)
    var lines: [String] = []
    var line = ""
    for word in words {
      if !line.isEmpty && margin.count + line.count + 1 + word.count > width {
        lines.append(margin + line)
        line = ""
      }
      line += (line.isEmpty ? "" : " ") + word
    }
    lines.append(margin + line)
    return lines.joined(separator: "\n")
  }

  /// The words of `text`, split at spaces and line breaks outside backquotes.
  private static func words(_ text: String) -> [String] {
    var words: [String] = []
    var word = ""
    var inCode = false
    for character in text {
      if character == "`" { inCode.toggle() }
      if (character == " " || character == "\n") && !inCode {
        if !word.isEmpty { words.append(word) }
        word = ""
      } else {
        word.append(character == "\n" ? " " : character)
      }
    }
    if !word.isEmpty { words.append(word) }
    return words
  }
}
