import ChildProcess
import Foundation
import Testing
import TestSupport

@testable import MLflowStore

@Suite("mlflow.user, as Python's getpass.getuser() finds it")
struct UserNameTests {
  @Test("MLFLOW_TRACKING_USERNAME first, then LOGNAME, USER, LNAME, USERNAME in Python's order")
  func environmentOrder() {
    #expect(SourceMetadata.userName(["MLFLOW_TRACKING_USERNAME": "ci", "LOGNAME": "l", "USER": "u"]) == "ci")
    #expect(SourceMetadata.userName(["LOGNAME": "l", "USER": "u"]) == "l")
    #expect(SourceMetadata.userName(["USER": "u", "LNAME": "n"]) == "u")
    #expect(SourceMetadata.userName(["LNAME": "n", "USERNAME": "w"]) == "n")
    #expect(SourceMetadata.userName(["USERNAME": "w", "LOGNAME": ""]) == "w")
  }

  @Test("with no variable set, the login name of the effective user, as `id -un` says")
  func passwordEntry() async throws {
    let expected = try await ChildProcess.runAsync("id", arguments: ["-un"]).standardOutputText
      .trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(SourceMetadata.userName([:]) == expected)
    #expect(LocalUsers.name(of: geteuid()) == expected, "the password file read without NSS agrees")
  }

  @Test("the password file is read as NSS's files service reads it: the first entry with the user ID")
  func passwordFile() throws {
    let directory = try TemporaryDirectory("passwd")
    let file = directory.path + "/passwd"
    try "# comment\nalice:x:1001:1001::/home/alice:/bin/sh\nbob:x:1002:1002::/home/bob:/bin/sh\nbobby:x:1002:1002::/:/bin/sh\n"
      .write(toFile: file, atomically: false, encoding: .utf8)
    #expect(LocalUsers.name(of: 1002, passwdFile: file) == "bob")
    #expect(LocalUsers.name(of: 1001, passwdFile: file) == "alice")
    #expect(LocalUsers.name(of: 4242, passwdFile: file) == nil)
    #expect(LocalUsers.name(of: 1001, passwdFile: directory.path + "/missing") == nil)
  }
}
