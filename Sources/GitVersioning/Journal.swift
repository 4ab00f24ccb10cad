import LocalFiles

/// The hooks' journal: Git states waiting to be registered as versions, kept in the
/// repository's Git common directory (`mlflow-git/journal`, mode 0600) until a worker delivers
/// them to the tracking store.
///
/// Hooks append one line per new state with a single `write` (the shell hook with `>>`), so
/// they never block and never lose an entry. Workers read from the offset recorded in
/// `journal.offset`, register what they read, and only then move the offset: a worker killed
/// mid-batch leaves its entries to the next one, and registration is idempotent, so every
/// entry is delivered once.
///
/// The line format is defined once, by its writer: the hook program `hooks/versioning-hook`
/// (`v1 <event> <HEAD> <commit or -> <worktree git dir>`, tab-separated; the Git directory is
/// last, so a tab in it is kept). The hook tests run that file and parse what it wrote here;
/// ``Entry/line`` writes the same line for `backfill`, and they check it equals the hook's.
struct Journal: Sendable {
  /// A state a hook saw.
  struct Entry: Sendable, Hashable {
    /// The hook that wrote it: `post-commit`, `post-checkout`, `post-merge`, `post-rewrite`,
    /// or `backfill`.
    var event: String
    /// What `HEAD` held: `ref: refs/heads/<branch>` or a commit id (detached).
    var head: String
    /// The commit to register; `nil` when the hook could not read it (a packed ref).
    var commit: String?
    /// The Git directory of the worktree the hook ran in.
    var gitDirectory: String

    /// The branch `HEAD` named, or `nil` when it was detached (or named reftable's placeholder,
    /// `.invalid`, which hooks of earlier versions journaled as if it were a branch).
    var branch: String? {
      guard head.hasPrefix("ref: refs/heads/"), head != "ref: refs/heads/.invalid" else { return nil }
      return String(head.dropFirst("ref: refs/heads/".count))
    }

    /// The journal line for this entry.
    var line: String {
      ["v1", event, head, commit ?? "-", gitDirectory].joined(separator: "\t") + "\n"
    }
  }

  /// What one read of the journal found.
  struct Batch: Sendable {
    var entries: [Entry]
    /// Lines that could not be read, with their 1-based position in this batch.
    var malformed: [(line: Int, text: String)]
    /// The offset after the last complete line read.
    var endOffset: Int
  }

  let path: String
  var offsetPath: String { path + ".offset" }

  init(stateDirectory: String) {
    path = stateDirectory + "/journal"
  }

  /// Appends `entries` (used by `backfill` and by tests; hooks append from the shell).
  func append(_ entries: [Entry]) throws(LocalFileError) {
    guard !entries.isEmpty else { return }
    try PrivateFiles.append(Array(entries.map(\.line).joined().utf8), to: path)
  }

  /// The offset up to which entries have been delivered.
  func deliveredOffset() -> Int {
    guard let bytes = try? PrivateFiles.read(offsetPath) else { return 0 }
    return Int(String(decoding: bytes, as: UTF8.self).trimmingSpaces()) ?? 0
  }

  /// Records that everything before `offset` has been delivered.
  func markDelivered(upTo offset: Int) throws(LocalFileError) {
    try PrivateFiles.replace(offsetPath, with: Array("\(offset)\n".utf8))
  }

  /// The complete lines after the delivered offset. A last line without its newline is being
  /// written and is left for the next read.
  func pending() throws(LocalFileError) -> Batch {
    guard let bytes = try PrivateFiles.read(path) else { return Batch(entries: [], malformed: [], endOffset: 0) }
    var start = deliveredOffset()
    if start > bytes.count { start = 0 }  // the journal was replaced since; read it whole
    var entries: [Entry] = []
    var malformed: [(Int, String)] = []
    var offset = start
    var lineNumber = 0
    while let newline = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) {
      lineNumber += 1
      let line = bytes[offset..<newline]
      offset = newline + 1
      if line.isEmpty { continue }
      if let entry = Journal.parse(line) {
        entries.append(entry)
      } else {
        malformed.append((lineNumber, String(decoding: line.prefix(200), as: UTF8.self)))
      }
    }
    return Batch(entries: entries, malformed: malformed, endOffset: offset)
  }

  /// Starts a new journal once everything in the old one was delivered and it has grown past
  /// `threshold` bytes. Call with the worker lock held.
  func compact(threshold: Int = 1 << 20) throws(LocalFileError) {
    guard let size = PrivateFiles.size(of: path), size >= threshold, deliveredOffset() == size else { return }
    // Keep what hooks appended after the delivered offset. The offset is reset first: a worker
    // killed in between delivers the old lines again (registration is idempotent), never skips.
    let current = try PrivateFiles.read(path) ?? []
    try markDelivered(upTo: 0)
    try PrivateFiles.replace(path, with: Array(current[min(size, current.count)...]))
  }

  static func parse(_ line: ArraySlice<UInt8>) -> Entry? {
    let fields = line.split(separator: UInt8(ascii: "\t"), maxSplits: 4, omittingEmptySubsequences: false)
      .map { String(decoding: $0, as: UTF8.self) }
    guard fields.count == 5, fields[0] == "v1", !fields[1].isEmpty,
      fields[2].hasPrefix("ref: refs/") || isHexID(fields[2]),
      fields[3] == "-" || isHexID(fields[3]), fields[4].hasPrefix("/")
    else { return nil }
    return Entry(event: fields[1], head: fields[2], commit: fields[3] == "-" ? nil : fields[3], gitDirectory: fields[4])
  }

  static func isHexID(_ text: String) -> Bool {
    (text.utf8.count == 40 || text.utf8.count == 64)
      && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }
}

extension String {
  func trimmingSpaces() -> String {
    String(drop { $0 == " " || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
  }
}
