import Foundation
import LocalFiles
import Testing
import TestSupport

@testable import GitVersioning
@testable import VersionRegistration

@Suite("Version index")
struct VersionIndexTests {
  static func entry(_ number: Int, model: String? = nil) -> VersionIndex.Entry {
    let state = SHA256.hexDigest(Array("state \(number)".utf8))
    return VersionIndex.Entry(
      key: VersionIndex.Key(store: "sqlite:////repo/mlflow.db", experiment: "id:0", state: state),
      modelID: model ?? "m-" + String(repeating: String(number % 10), count: 32), branch: "main",
      commit: String(repeating: "a", count: 40), isDirty: false)
  }

  @Test("a lookup reads one file of the split index, whatever the number of versions")
  func lookupReadsOneFile() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let index = VersionIndex(stateDirectory: scratch.root)
    for number in 0..<2000 { try index.record(Self.entry(number)) }
    let key = Self.entry(1234).key
    #expect(index.modelID(for: key) == Self.entry(1234).modelID)
    let shard = try #require(PrivateFiles.size(of: index.directory + "/" + key.shard))
    #expect(shard < 2000 * 250 / 100, "the file read holds about 1/4096 of the entries, not all of them")
    try index.remove(key)
    #expect(index.modelID(for: key) == nil)
    #expect(index.entries().count == 1999)
  }

  @Test("an earlier one-file index is read, overridden by newer entries, then moved into the split index")
  func legacyFileMigrated() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let index = VersionIndex(stateDirectory: scratch.root)
    try PrivateFiles.append(Array((0..<5).map { Self.entry($0).line }.joined().utf8), to: index.legacyPath)
    #expect(index.modelID(for: Self.entry(3).key) == Self.entry(3).modelID)
    let newer = Self.entry(3, model: "m-" + String(repeating: "f", count: 32))
    try index.record(newer)
    #expect(index.modelID(for: newer.key) == newer.modelID)
    try index.migrateLegacyFile()
    #expect(!FileManager.default.fileExists(atPath: index.legacyPath))
    #expect(index.modelID(for: newer.key) == newer.modelID, "the newer entry still wins")
    #expect(index.modelID(for: Self.entry(1).key) == Self.entry(1).modelID)
    #expect(index.entries().count == 5)
  }
}
