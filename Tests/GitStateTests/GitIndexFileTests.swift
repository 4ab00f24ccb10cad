import ChildProcess
import Foundation
import Testing
import TestSupport

@testable import GitState

/// The index reader against `git ls-files --stage --debug`, and on broken bytes.
@Suite("Index file reader")
struct GitIndexFileTests {
  /// One entry as `git ls-files --stage --debug` prints it.
  struct Listed: Equatable {
    var mode: UInt32, objectID: String, stage: Int, path: String
    var ctime: String, mtime: String, device: UInt32, inode: UInt32, uid: UInt32, gid: UInt32, size: UInt32
    /// git's in-core flags: assume-valid 0x8000, extended 0x4000, stage, extended flags << 16.
    var flags: UInt32
  }

  static func listed(_ repo: String, scratch: Scratch) throws -> [Listed] {
    let text = try scratch.git(["-C", repo, "-c", "core.quotePath=false", "ls-files", "--stage", "--debug"])
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[...]
    var entries: [Listed] = []
    func value(_ line: String, _ key: String) -> String {
      let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      let index = fields.firstIndex(of: Substring(key + ":"))!
      return String(fields[index + 1])
    }
    while let head = lines.popFirst(), !head.isEmpty {
      let tab = head.firstIndex(of: "\t")!
      let fields = head[..<tab].split(separator: " ")
      let times = (lines.popFirst()!, lines.popFirst()!)
      let ids = lines.popFirst()!
      let owner = lines.popFirst()!
      let sizeAndFlags = lines.popFirst()!
      entries.append(
        Listed(
          mode: UInt32(fields[0], radix: 8)!, objectID: String(fields[1]), stage: Int(fields[2])!,
          path: String(head[head.index(after: tab)...]), ctime: value(times.0, "ctime"), mtime: value(times.1, "mtime"),
          device: UInt32(value(ids, "dev"))!, inode: UInt32(value(ids, "ino"))!, uid: UInt32(value(owner, "uid"))!,
          gid: UInt32(value(owner, "gid"))!, size: UInt32(value(sizeAndFlags, "size"))!,
          flags: UInt32(value(sizeAndFlags, "flags"), radix: 16)!))
    }
    return entries
  }

  static func parsed(_ repo: String, hashSize: Int = 20) throws -> GitIndexFile {
    let bytes = try #require(FileManager.default.contents(atPath: repo + "/.git/index"))
    return try GitIndexFile(bytes: [UInt8](bytes), hashSize: hashSize)
  }

  static func asListed(_ index: GitIndexFile) -> [Listed] {
    index.entries.map { entry in
      Listed(
        mode: entry.mode, objectID: hexString(index.objectID(of: entry)), stage: entry.stage,
        path: String(decoding: index.name(of: entry), as: UTF8.self),
        ctime: "\(entry.ctimeSeconds):\(entry.ctimeNanoseconds)", mtime: "\(entry.mtimeSeconds):\(entry.mtimeNanoseconds)",
        device: entry.device, inode: entry.inode, uid: entry.uid, gid: entry.gid, size: entry.size,
        flags: UInt32(entry.flags & 0xF000) | UInt32(entry.extendedFlags) << 16)
    }
  }

  @Test("versions 2, 3 and 4: every field of every entry as git reads it")
  func matchesGit() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    var files = [
      "app.py": "v1\n", "empty": "", "src/app/main.py": "m\n", "src/app/model.py": "o\n", "src/lib/a.py": "a\n",
      "src/z.py": "z\n", "café/ü.py": "u\n", "a-b": "1\n", "a/b": "2\n", "a0": "3\n",
    ]
    files[String(repeating: "long-directory-name/", count: 12) + String(repeating: "f", count: 200)] = "deep\n"
    let repo = try scratch.agedRepository(files: files)
    // A 4,095-byte path: its length field saturates at 0xFFF and the reader must find its end.
    let folders = String(repeating: String(repeating: "d", count: 200) + "/", count: 20)
    let script = "mkdir -p \"$1\" && echo deep > \"$1$2\""
    _ = try ChildProcess.run("sh", arguments: ["-c", "cd \"$0\" && " + script, repo, folders, String(repeating: "f", count: 75)])
    try FileManager.default.createSymbolicLink(atPath: repo + "/link", withDestinationPath: "app.py")
    try scratch.write("#!/bin/sh\n", to: repo + "/run.sh")
    chmod(repo + "/run.sh", 0o755)
    try scratch.git(["-C", repo, "add", "-A"])
    try scratch.git(["-C", repo, "update-index", "--assume-unchanged", "app.py"])

    try scratch.git(["-C", repo, "update-index", "--index-version", "2"])
    var index = try Self.parsed(repo)
    #expect(index.version == 2)
    #expect(Self.asListed(index) == (try Self.listed(repo, scratch: scratch)))
    #expect(index.entries.contains { index.name(of: $0).count == 0xFFF })

    try scratch.git(["-C", repo, "update-index", "--skip-worktree", "a0"])
    try scratch.write("new\n", to: repo + "/new.py")
    try scratch.git(["-C", repo, "add", "--intent-to-add", "new.py"])
    for version in [3, 4] {
      try scratch.git(["-C", repo, "update-index", "--index-version", String(version)])
      index = try Self.parsed(repo)
      #expect(index.version == UInt32(version))
      #expect(Self.asListed(index) == (try Self.listed(repo, scratch: scratch)))
      #expect(index.extensions.contains("TREE"))
      let flagged = index.entries.filter { $0.isSkipWorktree || $0.isIntentToAdd || $0.isAssumedValid }
      #expect(flagged.map { String(decoding: index.name(of: $0), as: UTF8.self) }.sorted() == ["a0", "app.py", "new.py"])
    }
    let checksum = try #require(FileManager.default.contents(atPath: repo + "/.git/index")).suffix(20)
    #expect(Array(index.checksum) == Array(checksum))
  }

  @Test("broken bytes are errors, never guesses")
  func brokenBytes() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository()
    let good = [UInt8](try #require(FileManager.default.contents(atPath: repo + "/.git/index")))
    #expect(throws: Never.self) { try GitIndexFile(bytes: good, hashSize: 20) }

    func expectError(_ bytes: [UInt8], _ expected: (GitIndexFile.ParseError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) {
      do {
        _ = try GitIndexFile(bytes: bytes, hashSize: 20)
        Issue.record("parsed broken bytes", sourceLocation: sourceLocation)
      } catch {
        #expect(expected(error), "\(error)", sourceLocation: sourceLocation)
      }
    }
    expectError([]) { $0 == .tooShort }
    expectError(Array(good.prefix(31))) { $0 == .tooShort }
    var bytes = good
    bytes[0] = UInt8(ascii: "X")
    expectError(bytes) { $0 == .badSignature }
    bytes = good
    bytes[7] = 5
    expectError(bytes) { $0 == .unsupportedVersion(5) }
    bytes = good
    bytes[11] = 200  // more entries than the file holds
    expectError(bytes) { if case .badEntry = $0 { true } else { false } }
    bytes = good
    bytes[12 + 60] |= 0x40  // the extended flag, in a version 2 index
    expectError(bytes) { if case .badEntry(0, _) = $0 { true } else { false } }
    bytes = good
    bytes[12 + 61] = 200  // a name length that does not end at a NUL
    expectError(bytes) { if case .badEntry(0, _) = $0 { true } else { false } }
    bytes = Array(good.dropLast(20)) + [UInt8(ascii: "Z"), 0, 0, 0, 0, 0, 0, 100] + Array(good.suffix(20))
    expectError(bytes) { if case .badExtension = $0 { true } else { false } }
    expectError(Array(good.dropLast(1))) { _ in true }
  }

  @Test("a size-0 entry that is not the empty blob is not trusted (git's smudged racy entry)")
  func smudgedEntry() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.agedRepository(files: ["app.py": "v1\n", "empty": ""])
    let good = [UInt8](try #require(FileManager.default.contents(atPath: repo + "/.git/index")))
    let check = WorkTreeStatCheck(workTree: repo, trustsExecutableBit: true, indexModifiedSeconds: .max)
    #expect(check.firstUncertainty(in: try GitIndexFile(bytes: good, hashSize: 20)) == nil)
    var smudged = good
    smudged[12 + 36..<12 + 40] = [0, 0, 0, 0]  // app.py's size
    #expect(check.firstUncertainty(in: try GitIndexFile(bytes: smudged, hashSize: 20)) == .racy(path: "app.py"))
  }
}
