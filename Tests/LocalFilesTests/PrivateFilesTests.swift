import Foundation
import Testing

@testable import LocalFiles

@Suite("PrivateFiles: atomic replacement and folders, 0600/0700 or the mode asked for")
struct PrivateFilesTests {
  /// A fresh folder under the temporary directory, removed after `body`.
  private func withFolder(_ body: (String) throws -> Void) throws {
    var template = Array((NSTemporaryDirectory() + "/private-files.XXXXXX").utf8CString)
    let folder = String(cString: try #require(mkdtemp(&template)))
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try body(folder)
  }

  private func mode(_ path: String) -> mode_t {
    var info = stat()
    return stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
  }

  /// This process's umask, read without changing it (umask(2) can only set it).
  private func umask() throws -> mode_t {
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Umask:") })
    return try #require(mode_t(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8))
  }

  @Test("replace writes the new content whole with mode 0600 and leaves no temporary file")
  func replacePrivate() throws {
    try withFolder { folder in
      let path = folder + "/state"
      try PrivateFiles.replace(path, with: Array("old".utf8))
      try PrivateFiles.replace(path, with: Array("new".utf8), durable: false)
      #expect(try PrivateFiles.read(path) == Array("new".utf8))
      #expect(mode(path) == 0o600)
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["state"])
    }
  }

  @Test("replace with a mode gives the file exactly that mode, umask or not, over a private file")
  func replaceWithMode() throws {
    try withFolder { folder in
      let path = folder + "/hook"
      try PrivateFiles.replace(path, with: Array("#!/bin/sh\n".utf8))
      try PrivateFiles.replace(path, with: Array("#!/bin/sh\nexit 0\n".utf8), mode: 0o755)
      #expect(mode(path) == 0o755)
      #expect(try PrivateFiles.read(path) == Array("#!/bin/sh\nexit 0\n".utf8))
      try PrivateFiles.replace(folder + "/shared", with: [], mode: 0o666)
      #expect(mode(folder + "/shared") == 0o666, "not 0666 less the umask")
    }
  }

  @Test("createDirectory makes missing parents with the same mode: 0700, or the one asked for less the umask")
  func createDirectoryModes() throws {
    try withFolder { folder in
      try PrivateFiles.createDirectory(folder + "/a/b")
      #expect(mode(folder + "/a") == 0o700 && mode(folder + "/a/b") == 0o700)
      let shared = 0o755 & ~(try umask())
      try PrivateFiles.createDirectory(folder + "/hooks/own", mode: 0o755)
      #expect(mode(folder + "/hooks") == shared && mode(folder + "/hooks/own") == shared)
      try PrivateFiles.createDirectory(folder + "/hooks/own", mode: 0o755)

      let error = #expect(throws: LocalFileError.self) {
        try PrivateFiles.createDirectory(folder + "/missing/child", creatingParents: false, mode: 0o755)
      }
      #expect(error?.errno == ENOENT)
      #expect(!FileManager.default.fileExists(atPath: folder + "/missing"))
    }
  }

  @Test("saveRecord makes its 0700 folder, not the folder's parents, and writes the record 0600 with no temporary file left")
  func saveRecord() throws {
    try withFolder { folder in
      let records = folder + "/records"
      #expect(PrivateFiles.saveRecord(Array("one".utf8), named: "record", in: records))
      #expect(PrivateFiles.saveRecord(Array("two".utf8), named: "record", in: records))
      #expect(PrivateFiles.contents(records + "/record") == Array("two".utf8))
      #expect(mode(records) == 0o700 && mode(records + "/record") == 0o600)
      let names = try FileManager.default.contentsOfDirectory(atPath: records)
      #expect(names == ["record"])

      #expect(!PrivateFiles.saveRecord(Array("x".utf8), named: "record", in: folder + "/gone/records"))
      #expect(!FileManager.default.fileExists(atPath: folder + "/gone"))
    }
  }

  @Test("head reads at most its limit, all of a shorter file, and nil for a missing file; contents is nil for a missing file")
  func headAndContents() throws {
    try withFolder { folder in
      let path = folder + "/hook"
      try PrivateFiles.replace(path, with: Array(repeating: UInt8(ascii: "a"), count: 1000))
      #expect(PrivateFiles.head(path)?.count == 512)
      #expect(PrivateFiles.head(path, limit: 4096)?.count == 1000)
      #expect(PrivateFiles.head(folder + "/missing") == nil)
      #expect(PrivateFiles.contents(path)?.count == 1000)
      #expect(PrivateFiles.contents(folder + "/missing") == nil)
    }
  }
}
