import ChildProcess
import Foundation
import Testing
import TestSupport

/// What `./install.sh` installs on a user's machine: the build's dependencies, never the tests'.
@Suite("install.sh's dependencies: what the build needs, not the test lab")
struct InstallDependenciesTests {
  static let scripts = ReferenceMLflow.packageRoot + "/scripts/"

  /// The packages `script` would install on a machine that has none of them.
  static func packages(_ script: String, _ arguments: String...) async throws -> [String] {
    let output = try await ChildProcess.runAsync(scripts + script, arguments: arguments + ["--list"])
    guard output.succeeded else { throw TestFailure("\(script) --list failed: \(output.standardErrorText)") }
    return output.standardOutputText.split(separator: "\n").map(String.init)
  }

  /// Every package apt would install for `packages` on a machine with no package installed at all
  /// (`apt-get --simulate` with an empty dpkg status): dependencies and recommends included.
  static func simulatedInstall(_ packages: [String]) async throws -> Set<String> {
    let directory = try TemporaryDirectory("apt-status")
    try Data().write(to: URL(fileURLWithPath: directory.appending("status")))
    let output = try await ChildProcess.runLimited(
      "apt-get", arguments: ["--simulate", "-o", "Dir::State::status=" + directory.appending("status"), "install"] + packages)
    guard output.succeeded else { throw TestFailure("apt-get --simulate install failed: \(output.standardErrorText)") }
    return Set(
      output.standardOutputText.split(separator: "\n").compactMap { line in
        line.hasPrefix("Inst ") ? line.split(separator: " ")[1].description : nil
      })
  }

  static func isTestLab(_ package: String) -> Bool {
    package.hasPrefix("chromium") || package.hasPrefix("postgresql") || package == "sqlite3"
  }

  @Test("install-system-deps.sh lists git and the SQLite and curl development files; python3-venv only with --with-mlflow")
  func buildPackages() async throws {
    #expect(try await Self.packages("install-system-deps.sh") == ["git", "libsqlite3-dev", "libcurl4-openssl-dev"])
    #expect(
      try await Self.packages("install-system-deps.sh", "--with-mlflow")
        == ["git", "libsqlite3-dev", "libcurl4-openssl-dev", "python3-venv"])
  }

  @Test("on a bare machine, apt would install no Chromium, PostgreSQL or sqlite3 shell for install.sh, but would for the tests")
  func freshMachine() async throws {
    let user = try await Self.simulatedInstall(try await Self.packages("install-system-deps.sh", "--with-mlflow"))
    #expect(user.isSuperset(of: ["git", "libsqlite3-dev", "libcurl4-openssl-dev", "python3-venv"]))
    #expect(user.filter(Self.isTestLab).isEmpty, "\(user.filter(Self.isTestLab).sorted())")
    let tests = try await Self.simulatedInstall(try await Self.packages("install-test-tools.sh"))
    #expect(tests.contains("chromium") && tests.contains { $0.hasPrefix("postgresql") } && tests.contains("sqlite3"))
  }

  /// Runs a copy of `script` whose scripts/ folder holds stand-ins that record how they were
  /// called and then stop the run (exit 3) at `stopAt`; returns the recorded calls.
  static func dependencySteps(of script: String, _ arguments: [String], stopAt: String) async throws -> [String] {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let copy = scratch.root + "/copy"
    try FileManager.default.createDirectory(atPath: copy + "/scripts", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: ReferenceMLflow.packageRoot + "/" + script, toPath: copy + "/" + script)
    for name in ["install-system-deps.sh", "install-test-tools.sh", "setup-python.sh"] {
      try scratch.writeExecutable(
        "#!/bin/sh\necho \"\(name) $*\" >> '\(scratch.root)/calls'\n" + (name == stopAt ? "exit 3\n" : ""),
        to: copy + "/scripts/" + name)
    }
    let repository = try scratch.repository()
    let output = try await ChildProcess.runAsync(
      "bash", arguments: [copy + "/" + script] + arguments.map { $0 == "REPO" ? repository : $0 },
      environment: scratch.environment)
    #expect(output.exitStatus == 3, "\(script) stopped at \(stopAt): \(output.standardErrorText)")
    return (try? String(contentsOfFile: scratch.root + "/calls", encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
  }

  @Test("install.sh installs through install-system-deps.sh only; scripts/test.sh adds install-test-tools.sh")
  func whoInstallsWhat() async throws {
    #expect(
      try await Self.dependencySteps(of: "install.sh", ["REPO"], stopAt: "install-system-deps.sh")
        == ["install-system-deps.sh "])
    #expect(
      try await Self.dependencySteps(of: "install.sh", ["--with-mlflow", "REPO"], stopAt: "install-system-deps.sh")
        == ["install-system-deps.sh --with-mlflow"])
    #expect(
      try await Self.dependencySteps(of: "scripts/test.sh", [], stopAt: "install-test-tools.sh")
        == ["install-system-deps.sh ", "install-test-tools.sh "])
  }
}
