import LocalFiles
import MLflowStore

/// The hooks' journal: Git states waiting to be registered as versions, kept in the
/// repository's Git common directory (`mlflow-git/journal`, mode 0600) until a worker delivers
/// them to the tracking store.
///
/// Hooks append each state's line with one write (`>>`; `backfill` its lines with one), without a
/// lock, so they never block. Workers read from the offset recorded in `journal.offset`,
/// register what they read, and only then move the offset: a worker killed mid-batch leaves
/// its entries to the next one, and registration is idempotent, so every entry is delivered once.
///
/// The journal file is never replaced nor truncated (see ``LocalFiles/AppendOnlyFile``): a hook
/// that opened it just before a worker compacted it still appends to the file workers read.
/// Compaction only gives back the disk space of the delivered prefix (a punched hole); the
/// offsets keep counting from the file's first byte.
///
/// The line format is defined once, by its writer: the hook program `hooks/versioning-hook`
/// (`v2 <event> <HEAD> <commit or -> <tracking URI> <experiment name> <experiment ID> <worktree
/// git dir>`, tab-separated, the three target fields escaped; the Git directory is last, so a tab
/// in it is kept). Lines of earlier hooks (`v1`, without the target) are still read. The hook
/// tests run that file and parse what it wrote here; ``Entry/line`` writes the same line for
/// `backfill`, and they check it equals the hook's.
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
    /// Where the hook's environment sent the state; `nil` for a line of an earlier hook (`v1`),
    /// which goes where the delivering environment points.
    var target: Target?
    /// The Git directory of the worktree the hook ran in.
    var gitDirectory: String

    /// The branch `HEAD` named, or `nil` when it was detached (or named reftable's placeholder,
    /// `.invalid`, which hooks of earlier versions journaled as if it were a branch).
    var branch: String? {
      guard head.hasPrefix("ref: refs/heads/"), head != "ref: refs/heads/.invalid" else { return nil }
      return String(head.dropFirst("ref: refs/heads/".count))
    }

    /// The journal line for this entry: `v2`, or `v1` for an entry without a target.
    var line: String {
      let fields = target.map { ["v2", event, head, commit ?? "-"] + $0.fields } ?? ["v1", event, head, commit ?? "-"]
      return (fields + [gitDirectory]).joined(separator: "\t") + "\n"
    }
  }

  /// Where a journaled state goes, as the environment of the hook that saw it chose: the
  /// variables MLflow reads the tracking store and experiment from.
  struct Target: Sendable, Hashable {
    /// `MLFLOW_TRACKING_URI`, without the user information of its authority
    /// (``MLflowStore/TrackingURI/redacted(_:)``); `nil` when unset or empty.
    var trackingURI: String?
    /// `MLFLOW_EXPERIMENT_NAME`; `nil` when unset.
    var experimentName: String?
    /// `MLFLOW_EXPERIMENT_ID`; `nil` when unset or empty.
    var experimentID: String?

    init(trackingURI: String? = nil, experimentName: String? = nil, experimentID: String? = nil) {
      self.trackingURI = trackingURI
      self.experimentName = experimentName
      self.experimentID = experimentID
    }

    /// The target `environment` selects, as the hook journals it.
    init(environment: [String: String]) {
      trackingURI = environment[TrackingURI.environmentVariable].flatMap { $0.isEmpty ? nil : TrackingURI.redacted($0) }
      experimentName = environment[ExperimentSelection.nameVariable]
      experimentID = environment[ExperimentSelection.idVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `environment` with this target's variables in place of its own.
    func applied(to environment: [String: String]) -> [String: String] {
      var applied = environment
      applied[TrackingURI.environmentVariable] = trackingURI
      applied[ExperimentSelection.nameVariable] = experimentName
      applied[ExperimentSelection.idVariable] = experimentID
      return applied
    }

    /// The three fields of the journal line: empty when unset, else `=` and the escaped value.
    var fields: [String] {
      [trackingURI, experimentName, experimentID].map { $0.map { "=" + Journal.escaped($0) } ?? "" }
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
    path = StateFolder(path: stateDirectory).journal
  }

  /// Appends `entries` (used by `backfill` and by tests; hooks append from the shell).
  func append(_ entries: [Entry]) throws(LocalFileError) {
    guard !entries.isEmpty else { return }
    try PrivateFiles.append(Array(entries.map(\.line).joined().utf8), to: path)
  }

  /// The offset up to which entries have been delivered.
  func deliveredOffset() throws(LocalFileError) -> Int {
    guard let bytes = try PrivateFiles.read(offsetPath) else { return 0 }
    return Int(String(decoding: bytes, as: UTF8.self).trimmingSpaces()).map { max(0, $0) } ?? 0
  }

  /// Records that everything before `offset` has been delivered.
  func markDelivered(upTo offset: Int) throws(LocalFileError) {
    try PrivateFiles.replace(offsetPath, with: Array("\(offset)\n".utf8))
  }

  /// The complete lines after the delivered offset. A last line without its newline is being
  /// written and is left for the next read.
  func pending() throws(LocalFileError) -> Batch {
    guard let tail = try AppendOnlyFile(path: path).read(from: try deliveredOffset()) else {
      return Batch(entries: [], malformed: [], endOffset: 0)
    }
    let bytes = tail.bytes
    var entries: [Entry] = []
    var malformed: [(Int, String)] = []
    var offset = 0
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
    return Batch(entries: entries, malformed: malformed, endOffset: tail.offset + offset)
  }

  /// Gives back the disk space of the delivered entries once they take `threshold` bytes or
  /// more. The file stays the one hooks append to (see ``LocalFiles/AppendOnlyFile``), so no
  /// entry appended meanwhile can be lost. Does nothing where the file system cannot punch holes.
  func compact(threshold: Int = 1 << 20) throws(LocalFileError) {
    let delivered = try deliveredOffset()
    guard delivered >= threshold else { return }
    try AppendOnlyFile(path: path).discard(before: delivered)
  }

  /// The delivered size past which the journal is compacted: `MLFLOW_GIT_JOURNAL_COMPACTION_BYTES`,
  /// else 1 MiB.
  static func compactionThreshold(_ environment: [String: String]) -> Int {
    environment["MLFLOW_GIT_JOURNAL_COMPACTION_BYTES"].flatMap { Int($0) }.map { max(1, $0) } ?? 1 << 20
  }

  static func parse(_ line: ArraySlice<UInt8>) -> Entry? {
    let version = line.prefix(3)
    let count = version.elementsEqual("v2\t".utf8) ? 8 : version.elementsEqual("v1\t".utf8) ? 5 : 0
    guard count > 0 else { return nil }
    let fields = line.split(separator: UInt8(ascii: "\t"), maxSplits: count - 1, omittingEmptySubsequences: false)
      .map { String(decoding: $0, as: UTF8.self) }
    guard fields.count == count, !fields[1].isEmpty, fields[2].hasPrefix("ref: refs/") || isHexID(fields[2]),
      fields[3] == "-" || isHexID(fields[3]), fields[count - 1].hasPrefix("/")
    else { return nil }
    var target: Target?
    if count == 8 {
      var values: [String?] = []
      for field in fields[4...6] {
        if field.isEmpty {
          values.append(nil)
        } else if field.hasPrefix("="), let value = unescaped(field.dropFirst()) {
          values.append(value)
        } else {
          return nil
        }
      }
      target = Target(trackingURI: values[0], experimentName: values[1], experimentID: values[2])
    }
    return Entry(
      event: fields[1], head: fields[2], commit: fields[3] == "-" ? nil : fields[3], target: target,
      gitDirectory: fields[count - 1])
  }

  /// `text` with backslash, tab and newline written `\\`, `\t` and `\n`, as the hook writes a
  /// target field.
  static func escaped(_ text: String) -> String {
    guard text.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" }) else { return text }
    var escaped = ""
    for character in text {
      switch character {
      case "\\": escaped += "\\\\"
      case "\t": escaped += "\\t"
      case "\n": escaped += "\\n"
      default: escaped.append(character)
      }
    }
    return escaped
  }

  /// The value an escaped field stands for, or `nil` when a backslash starts no known escape.
  static func unescaped(_ field: Substring) -> String? {
    guard field.contains("\\") else { return String(field) }
    var value = ""
    var characters = field.makeIterator()
    while let character = characters.next() {
      guard character == "\\" else {
        value.append(character)
        continue
      }
      switch characters.next() {
      case "\\": value += "\\"
      case "t": value += "\t"
      case "n": value += "\n"
      default: return nil
      }
    }
    return value
  }

  static func isHexID(_ text: String) -> Bool {
    (text.utf8.count == 40 || text.utf8.count == 64)
      && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }
}

extension String {
  package func trimmingSpaces() -> String {
    String(drop { $0 == " " || $0 == "\n" }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
  }
}
