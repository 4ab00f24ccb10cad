/// An index entry whose work-tree file does not match the index's stat data, with the file's
/// ``PathStamp`` when it was seen (`nil`: missing).
struct ChangedEntry: Sendable, Hashable {
  /// The path as the index spells it, relative to the work tree's top.
  var path: [UInt8]
  /// The file's `lstat` stamp, or `nil` when it does not exist.
  var stamp: PathStamp?
}
