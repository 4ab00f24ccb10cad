/// What a ``ParsableCommand`` says about itself: its name, a one-line abstract (the command list
/// and the first line of its help), a longer discussion, its subcommands and, for the tool itself,
/// its version.
struct CommandConfiguration: Sendable {
  /// The word that selects the command (`status`), or the tool's name for the root command.
  var commandName: String
  /// One sentence, shown in the root command's list and at the top of the command's help.
  var abstract: String
  /// Paragraphs shown under the abstract, separated by blank lines; line breaks inside a
  /// paragraph are spaces (help text is wrapped anew to ``HelpGenerator/width``).
  var discussion: String
  /// The text `--version` prints; `nil` for a command without `--version`.
  var version: String?
  /// Commands selected by their name as the first argument.
  var subcommands: [any ParsableCommand.Type]

  init(
    commandName: String, abstract: String, discussion: String = "", version: String? = nil,
    subcommands: [any ParsableCommand.Type] = []
  ) {
    self.commandName = commandName
    self.abstract = abstract
    self.discussion = discussion
    self.version = version
    self.subcommands = subcommands
  }
}
