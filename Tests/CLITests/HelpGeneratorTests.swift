import Testing

@testable import mlflow_git

@Suite("CLI help: generated from the declarations")
struct HelpGeneratorTests {
  /// Every command of mlflow-git, with the words that select it.
  static let commands: [(path: String, type: any ParsableCommand.Type)] =
    [("mlflow-git", MLflowGit.self)]
    + MLflowGit.configuration.subcommands.map { ("mlflow-git " + $0.configuration.commandName, $0) }

  @Test("each declared flag, option and argument is in its command's usage line and help, with its help text")
  func everyArgumentShown() {
    for (path, type) in Self.commands {
      Self.checkArguments(of: type, path: path)
    }
  }

  private static func checkArguments<Command: ParsableCommand>(of _: Command.Type, path: String) {
    let help = HelpGenerator(for: Command.self, commandPath: path)
    let text = help.help
    let flattened = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    for definition in Command.arguments {
      #expect(help.usage.contains(definition.usage), "\(path): usage shows \(definition.usage)")
      #expect(text.contains("\n  " + definition.label), "\(path): help lists \(definition.label)")
      let words = definition.help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
      #expect(flattened.contains(words), "\(path): help has \(definition.label)'s text")
    }
    #expect(text.hasPrefix("OVERVIEW: "), "\(path)")
    #expect(text.contains("USAGE: " + path), "\(path)")
    #expect(text.contains("\n  -h, --help "), "\(path): help offers --help")
  }

  @Test("no help line is wider than 80 columns")
  func width() {
    for (path, type) in Self.commands {
      let text = HelpGenerator(for: type, commandPath: path).help
      for line in text.split(separator: "\n") where line.count > HelpGenerator.width {
        Issue.record("\(path): a line of \(line.count) columns: \(line)")
      }
    }
  }

  @Test("the root help lists every command with its abstract, help and --version")
  func rootListsCommands() {
    let text = HelpGenerator(for: MLflowGit.self, commandPath: "mlflow-git").help
    let flattened = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    for command in MLflowGit.configuration.subcommands {
      #expect(flattened.contains(command.configuration.commandName + " " + command.configuration.abstract))
    }
    #expect(text.contains("\n  help ") && text.contains("\n  --version "))
  }

  @Test("a default shows after the help; a value longer than the label column moves the help to the next line")
  func layout() {
    let versions = HelpGenerator(for: VersionsCommand.self, commandPath: "mlflow-git versions").help
    #expect(versions.contains("(default: 200)") && versions.contains("(default: origin)"))
    let install = HelpGenerator(for: InstallCommand.self, commandPath: "mlflow-git install").help
    #expect(install.contains("\n  --mlflow-executable <path>\n" + String(repeating: " ", count: HelpGenerator.helpColumn)))
  }

  @Test("paragraphs end at blank lines; line breaks inside one are spaces")
  func paragraphs() {
    #expect(HelpGenerator.paragraphs("one\ntwo\n\nthree `a\nb`") == [["one", "two"], ["three", "`a b`"]])
  }

  @Test("wrapping keeps a `code span` on one line and indents every line")
  func wrapping() {
    let text = String(repeating: "word ", count: 14) + "`git apply twice` end"
    let wrapped = HelpGenerator.wrap(words: HelpGenerator.words(text), indent: 4)
    #expect(wrapped.split(separator: "\n").contains { $0.contains("`git apply twice`") })
    #expect(wrapped.split(separator: "\n").allSatisfy { $0.hasPrefix("    ") && $0.count <= HelpGenerator.width })
  }
}
