/// A command's arguments: flags (`--json`), options with a value (`--limit 20`), positionals,
/// and everything after `--`.
struct ParsedArguments {
  var flags: Set<String> = []
  var options: [String: String] = [:]
  var positionals: [String] = []
  var rest: [String] = []

  /// Parses `arguments`; unknown options are a usage error naming the option.
  init(_ arguments: [String], flags allowedFlags: Set<String>, options allowedOptions: Set<String> = []) throws(UsageError) {
    var iterator = arguments.makeIterator()
    while let argument = iterator.next() {
      if argument == "--" {
        while let next = iterator.next() { rest.append(next) }
        break
      }
      if argument == "-h" || argument == "--help" {
        flags.insert("--help")
      } else if allowedFlags.contains(argument) {
        flags.insert(argument)
      } else if allowedOptions.contains(argument) {
        guard let value = iterator.next() else { throw UsageError("\(argument) needs a value") }
        options[argument] = value
      } else if argument.hasPrefix("-") && argument != "-" {
        throw UsageError("unknown option '\(argument)'")
      } else {
        positionals.append(argument)
      }
    }
  }

  var wantsHelp: Bool { flags.contains("--help") }
  var json: Bool { flags.contains("--json") }
}

struct UsageError: Error {
  let message: String
  init(_ message: String) { self.message = message }
}

/// Parses a command's arguments, printing its help or a usage error; `nil` means "exit with
/// `code`".
func parse(
  _ arguments: [String], command: String, help: String, flags: Set<String> = [], options: Set<String> = []
) -> (ParsedArguments?, Int32) {
  do {
    let parsed = try ParsedArguments(arguments, flags: flags, options: options)
    if parsed.wantsHelp {
      print(help)
      return (nil, 0)
    }
    return (parsed, 0)
  } catch {
    printError("\(command): \(error.message)\n\n\(help)")
    return (nil, 2)
  }
}
