/// Wrong usage found after parsing: thrown by ``ParsableCommand/validate()`` or ``ParsableCommand/run()``,
/// printed with the command's usage line; the tool exits with status 2.
///
/// ```swift
/// guard limit > 0 else { throw ValidationError("--limit takes a positive number, not \(limit)") }
/// ```
struct ValidationError: Error, CustomStringConvertible {
  /// What is wrong and, where it helps, what to give instead.
  let message: String

  init(_ message: String) { self.message = message }

  var description: String { message }
}

/// The status the tool exits with. Returned by ``ParsableCommand/run()``, or thrown to exit at
/// once without another message.
///
/// ```swift
/// guard let diff else {
///   printError("\(described) is a clean version: it has no diff")
///   return .failure
/// }
/// ```
struct ExitCode: Error, RawRepresentable, Hashable, ExpressibleByIntegerLiteral, Sendable {
  let rawValue: Int32

  init(rawValue: Int32) { self.rawValue = rawValue }
  init(integerLiteral value: Int32) { rawValue = value }

  /// The command did what was asked.
  static let success: ExitCode = 0
  /// The command failed; its message says why and what to do.
  static let failure: ExitCode = 1
  /// Wrong usage: an unknown option, a missing or invalid value, an unexpected argument.
  static let validationFailure: ExitCode = 2
}
