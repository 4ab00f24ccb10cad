/// A type an option's or positional argument's value converts to, once, while parsing.
protocol ExpressibleByArgument {
  /// The value `argument` stands for, or `nil` when it stands for none.
  init?(argument: String)

  /// What a valid value is, for the usage error when a value is not one (`a whole number`).
  static var expectedValue: String { get }
}

extension String: ExpressibleByArgument {
  init?(argument: String) { self = argument }
  static var expectedValue: String { "text" }
}

extension Int: ExpressibleByArgument {
  init?(argument: String) { self.init(argument) }
  static var expectedValue: String { "a whole number" }
}
