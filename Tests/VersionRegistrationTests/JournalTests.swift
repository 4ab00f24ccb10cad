import Foundation
import LocalFiles
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration

@Suite("Journal")
struct JournalTests {
  static func entry(_ commit: Character) -> Journal.Entry {
    Journal.Entry(
      event: "post-commit", head: "ref: refs/heads/main", commit: String(repeating: commit, count: 40),
      gitDirectory: "/repo/.git")
  }

  @Test("compaction gives back the delivered entries' space, keeps the file, its size and offsets; later entries are pending")
  func compaction() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let journal = Journal(stateDirectory: scratch.root)
    let entries = (0..<400).map { Self.entry(Character(String($0 % 10))) }
    try journal.append(entries)
    try journal.compact(threshold: 1)
    #expect(try journal.pending().entries == entries, "undelivered entries are never compacted away")

    let batch = try journal.pending()
    let file = AppendOnlyFile(path: journal.path)
    let allocated = try #require(file.allocatedBytes)
    try journal.markDelivered(upTo: batch.endOffset)
    try journal.compact(threshold: 1)
    #expect(file.allocatedBytes! < allocated / 2, "the delivered prefix no longer takes disk space")
    #expect(PrivateFiles.size(of: journal.path) == batch.endOffset, "the file keeps its size: offsets stay valid")
    #expect(try journal.deliveredOffset() == batch.endOffset)
    #expect(try journal.pending().entries.isEmpty)

    try journal.append([Self.entry("c")])
    #expect(try journal.pending().entries == [Self.entry("c")])
  }

  @Test("a writer that opened the journal before a compaction and writes after it loses nothing")
  func writerOpenedBeforeCompaction() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let journal = Journal(stateDirectory: scratch.root)
    try journal.append((0..<200).map { _ in Self.entry("a") })
    let batch = try journal.pending()
    // A hook's `>>`: the file is opened, then written.
    let hook = open(journal.path, O_WRONLY | O_APPEND)
    #expect(hook >= 0)
    defer { close(hook) }
    try journal.markDelivered(upTo: batch.endOffset)
    try journal.compact(threshold: 1)
    let line = Array(Self.entry("b").line.utf8)
    #expect(write(hook, line, line.count) == line.count)
    #expect(try journal.pending().entries == [Self.entry("b")])
  }

  @Test("malformed lines are reported, a half-written last line waits")
  func malformedAndPartialLines() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let journal = Journal(stateDirectory: scratch.root)
    try journal.append([Self.entry("a")])
    try PrivateFiles.append(Array("garbage\n".utf8) + Array(Self.entry("b").line.dropLast().utf8), to: journal.path)
    let batch = try journal.pending()
    #expect(batch.entries == [Self.entry("a")])
    #expect(batch.malformed.map(\.text) == ["garbage"])
    #expect(batch.endOffset < PrivateFiles.size(of: journal.path)!)
  }
}
