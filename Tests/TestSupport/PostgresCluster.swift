import ChildProcess
import Foundation

/// A private PostgreSQL cluster for the tests: Debian's PostgreSQL binaries
/// (`/usr/lib/postgresql/<version>/bin`, package `postgresql`), a data directory in a temporary
/// folder, listening on 127.0.0.1 and a free port only, trust authentication. PostgreSQL
/// refuses to run as root, so as root the cluster runs as the `postgres` user (`runuser`).
/// Stopped and removed when the test process exits. Its tools run on threads of their own
/// (``ChildProcess/runLimited(_:arguments:environment:standardInput:outputLimit:)``): `initdb`
/// and `pg_ctl start` take seconds.
package final class PostgresCluster: Sendable {
  package let port: Int
  private let bin: String
  private let root: String
  private let user: String?

  /// The one cluster of this test process.
  package static let shared = Task { () throws -> PostgresCluster in try await PostgresCluster() }

  private init() async throws {
    bin = try Self.findBin()
    port = try freePort()
    user = geteuid() == 0 ? "postgres" : nil
    root = try TemporaryDirectory.create("mlflow-postgres")
    if let user {
      guard let account = getpwnam(user) else {
        throw TestFailure("running as root but there is no '\(user)' user to run PostgreSQL as; install Debian's postgresql")
      }
      chown(root, account.pointee.pw_uid, account.pointee.pw_gid)
    }
    let root = self.root
    let bin = self.bin
    let user = self.user
    ExitCleanup.add {
      _ = try? PostgresCluster.run(bin + "/pg_ctl", ["-D", root + "/data", "-m", "immediate", "-w", "stop"], as: user)
      try? FileManager.default.removeItem(atPath: root)
    }
    if let user {
      // The cluster's user must be able to walk down to its folder: a private parent (a TMPDIR
      // of mode 0700) stops initdb with a bare "Permission denied".
      let reach = try Self.run("/usr/bin/test", ["-x", root], as: user)
      guard reach.succeeded else {
        throw TestFailure(
          "the '\(user)' user cannot reach \(root): a parent folder is private; "
            + "let others search it (chmod o+x), as scripts/test.sh does for its TMPDIR")
      }
    }
    try await run("initdb", ["-D", root + "/data", "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
    try await run("pg_ctl", [
      "-D", root + "/data", "-l", root + "/postgres.log", "-w", "-t", "60",
      "-o", "-c listen_addresses=127.0.0.1 -p \(port) -k \(root) -c fsync=off -c synchronous_commit=off "
        + "-c full_page_writes=off -c max_connections=200",
      "start",
    ])
  }

  /// Creates a database and returns its SQLAlchemy URI for `mlflow server` (with psycopg2, which
  /// scripts/setup-python.sh installs; SQLAlchemy 2.1 would otherwise look for psycopg 3).
  package func createDatabase(_ name: String) async throws -> String {
    try await run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name])
    return "postgresql+psycopg2://postgres@127.0.0.1:\(port)/\(name)"
  }

  /// Drops a database made by ``createDatabase(_:)``, closing the connections still open to it.
  package func dropDatabase(_ name: String) async throws {
    try await run("dropdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "--force", "--if-exists", name])
  }

  /// Runs `sql` in `database` with `psql` and returns what it prints, unaligned and without
  /// headers (`42` for a count).
  package func query(_ sql: String, database: String) async throws -> String {
    let (executable, arguments, environment) = Self.command(
      bin + "/psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-At", "-c", sql], as: user)
    let output = try await ChildProcess.runLimited(executable, arguments: arguments, environment: environment)
    guard output.succeeded else { throw TestFailure("psql failed: \(output.standardErrorText)") }
    return output.standardOutputText.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  private func run(_ tool: String, _ arguments: [String]) async throws {
    let (executable, arguments, environment) = Self.command(bin + "/" + tool, arguments, as: user)
    let output = try await ChildProcess.runLimited(executable, arguments: arguments, environment: environment)
    guard output.succeeded else {
      let log = (try? String(contentsOfFile: root + "/postgres.log", encoding: .utf8)) ?? ""
      throw TestFailure("\(tool) failed: \(output.standardErrorText) \(output.standardOutputText) \(log.suffix(2000))")
    }
  }

  /// Runs a tool and waits on the calling thread (for the exit cleanup, where nothing is awaited).
  private static func run(_ executable: String, _ arguments: [String], as user: String?) throws -> ChildProcess.Output {
    let (executable, arguments, environment) = command(executable, arguments, as: user)
    return try ChildProcess.run(executable, arguments: arguments, environment: environment)
  }

  /// How to run `executable arguments…` as `user` (through `runuser`) or as this process's user.
  private static func command(_ executable: String, _ arguments: [String], as user: String?) -> (
    executable: String, arguments: [String], environment: [String: String]
  ) {
    var environment = ProcessInfo.processInfo.environment
    environment["LC_ALL"] = "C.UTF-8"
    if let user { return ("/usr/sbin/runuser", ["-u", user, "--", executable] + arguments, environment) }
    return (executable, arguments, environment)
  }

  /// Debian's newest PostgreSQL server binaries.
  private static func findBin() throws -> String {
    let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
      .compactMap(Int.init).sorted()
    guard let version = versions.last(where: { FileManager.default.fileExists(atPath: "/usr/lib/postgresql/\($0)/bin/initdb") })
    else {
      throw TestFailure("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); apt-get install postgresql")
    }
    return "/usr/lib/postgresql/\(version)/bin"
  }
}
