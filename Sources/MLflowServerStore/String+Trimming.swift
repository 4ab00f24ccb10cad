/// Trimming without Foundation's `CharacterSet` (this module imports FoundationEssentials only).
extension StringProtocol {
  /// The text without leading and trailing whitespace (`Character.isWhitespace`: spaces, tabs,
  /// newlines and the other Unicode white space).
  func trimmed() -> String {
    var start = startIndex
    var end = endIndex
    while start < end, self[start].isWhitespace { formIndex(after: &start) }
    while end > start, self[index(before: end)].isWhitespace { formIndex(before: &end) }
    return String(self[start..<end])
  }
}
