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

  /// The help of `Command` (``ParsableCommand/helpGenerator(commandPath:)`` makes it for a
  /// command known only as `any ParsableCommand.Type`).
  init<Command: ParsableCommand>(for command: Command.Type, commandPath: String) {
    configuration = command.configuration
    self.commandPath = commandPath
    (usageItems, argumentRows, optionRows) = Self.rows(command)
  }

  private static func rows<Command: ParsableCommand>(_ command: Command.Type) -> ([String], [Row], [Row]) {
    let definitions = Command.arguments
    let defaults = Command()
    var usage = definitions.map { $0.usage }  // a closure: a key path literal here is made at run time
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
  var usage: String {
    var text = commandPath
    for item in usageItems { text += " " + item }
    return text
  }

  /// The whole help text, without a final line break.
  ///
  /// Built by appending, not with `joined`: the first call of an unspecialized generic of the
  /// standard library looks up conformances in every record of the static executable, which
  /// `mlflow-git --help` would pay for at every start.
  var help: String {
    var text = Self.wrap(words: ["OVERVIEW:"] + Self.words(configuration.abstract), indent: 0)
    for paragraph in Self.paragraphs(configuration.discussion) { text += "\n\n" + Self.wrap(words: paragraph, indent: 0) }
    text += "\n\n" + Self.wrap(words: ["USAGE:", commandPath] + usageItems, indent: 7, startColumn: 0)
    if !argumentRows.isEmpty {
      text += "\n\nARGUMENTS:"
      for row in argumentRows { text += "\n" + Self.format(row) }
    }
    text += "\n\nOPTIONS:"
    for row in optionRows { text += "\n" + Self.format(row) }
    let subcommands = configuration.subcommands
    if !subcommands.isEmpty {
      text += "\n\nCOMMANDS:"
      for subcommand in subcommands {
        text += "\n" + Self.format(Row(label: subcommand.configuration.commandName, help: subcommand.configuration.abstract))
      }
      text += "\n" + Self.format(Row(label: "help", help: "Show a command's help (the same as <command> --help)."))
      text += "\n\n  See '\(commandPath) help <command>' for a command's arguments and options."
    }
    return text
  }

  /// `  --limit <n>             The most versions to list.`, wrapped under the help column.
  private static func format(_ row: Row) -> String {
    let label = "  " + row.label
    let labelWidth = label.unicodeScalars.count
    let words = words(row.help)
    if labelWidth + 2 <= helpColumn {
      return label + String(repeating: " ", count: helpColumn - labelWidth)
        + wrap(words: words, indent: helpColumn, startColumn: helpColumn)
    }
    return label + "\n" + wrap(words: words, indent: helpColumn)
  }

  /// The words of `text`'s paragraphs: paragraphs end at blank lines; words are split at spaces
  /// and line breaks outside backquotes, so a `code span` is one word.
  static func paragraphs(_ text: String) -> [[String]] {
    var paragraphs: [[String]] = []
    var words: [String] = []
    var word = String.UnicodeScalarView()
    var inCode = false
    var lineBreaks = 0
    for scalar in text.unicodeScalars {
      if scalar == "`" { inCode.toggle() }
      guard !inCode, scalar == " " || scalar == "\n" else {
        if lineBreaks >= 2 && !words.isEmpty {
          paragraphs.append(words)
          words = []
        }
        lineBreaks = 0
        word.append(scalar == "\n" ? " " : scalar)
        continue
      }
      if !word.isEmpty {
        words.append(String(word))
        word = String.UnicodeScalarView()
      }
      if scalar == "\n" { lineBreaks += 1 }
    }
    if !word.isEmpty { words.append(String(word)) }
    if !words.isEmpty { paragraphs.append(words) }
    return paragraphs
  }

  /// The words of all `text`'s paragraphs.
  static func words(_ text: String) -> [String] {
    var words: [String] = []
    for paragraph in paragraphs(text) { words += paragraph }
    return words
  }

  /// `words` in lines of at most ``width`` columns, every line but the first indented by
  /// `indent` spaces; the first starts at `startColumn` (after text the caller wrote), or is
  /// indented too when it is `nil`. A word longer than a line gets a line of its own.
  static func wrap(words: [String], indent: Int, startColumn: Int? = nil) -> String {
    let margin = String(repeating: " ", count: indent)
    var text = startColumn == nil ? margin : ""
    var column = startColumn ?? indent
    var lineIsEmpty = true
    for word in words {
      let length = word.unicodeScalars.count
      if !lineIsEmpty && column + 1 + length > width {
        text += "\n" + margin
        column = indent
        lineIsEmpty = true
      }
      if !lineIsEmpty {
        text += " "
        column += 1
      }
      text += word
      column += length
      lineIsEmpty = false
    }
    return text
  }
}
