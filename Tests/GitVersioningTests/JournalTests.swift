import Foundation
import LocalFiles
import Testing
import TestSupport

@testable import GitVersioning

@Suite("Journal")
struct JournalTests {
  static func entry(_ commit: Character) -> Journal.Entry {
    Journal.Entry(
      event: "post-commit", head: "ref: refs/heads/main", commit: String(repeating: commit, count: 40),
      gitDirectory: "/repo/.git")
  }

  @Test("a delivered journal past the threshold starts over; later entries are still pending")
  func compaction() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let journal = Journal(stateDirectory: scratch.root)
    try journal.append([Self.entry("a"), Self.entry("b")])
    try journal.compact(threshold: 1)
    #expect(PrivateFiles.size(of: journal.path) ?? 0 > 0, "undelivered entries are never compacted away")

    let batch = try journal.pending()
    #expect(batch.entries == [Self.entry("a"), Self.entry("b")])
    try journal.markDelivered(upTo: batch.endOffset)
    try journal.compact(threshold: 1)
    #expect(PrivateFiles.size(of: journal.path) == 0)
    #expect(journal.deliveredOffset() == 0)

    try journal.append([Self.entry("c")])
    #expect(try journal.pending().entries == [Self.entry("c")])
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
