import Foundation

/// A repository laid out as Git 2.45+ writes one whose refs are in the reftable format
/// (`git init --ref-format=reftable`): the Git here (2.39) cannot make or read one, so a
/// repository it made is converted, and a stand-in for the newer `git` answers the two questions
/// mlflow-git asks it there.
///
/// What Git 2.45 writes (refs/reftable-backend.c, `reftable_be_create_on_disk`, and the repository
/// format in setup.c): `core.repositoryformatversion = 1` with `extensions.refStorage = reftable`
/// in `config`; `HEAD` holding the fixed text `ref: refs/heads/.invalid`; `refs/` a folder whose
/// `heads` is a file reading `this repository uses the reftable format`; the refs and reflogs in
/// `reftable/` (`tables.list` naming the `*.ref` tables), no loose refs, `packed-refs` or `logs/`.
/// The tables' binary content is not reproduced: only git reads them, never mlflow-git.
package enum ReftableLayout {
  /// Converts `repo` and returns `environment` with the stand-in `git` first on `PATH`.
  package static func convert(_ repo: String, scratch: Scratch) throws -> [String: String] {
    let branch = try scratch.git(["-C", repo, "symbolic-ref", "HEAD"])
    let commit = try scratch.git(["-C", repo, "rev-parse", "HEAD"])
    let gitDirectory = repo + "/.git"
    let files = FileManager.default
    try files.removeItem(atPath: gitDirectory + "/refs/heads")
    try? files.removeItem(atPath: gitDirectory + "/packed-refs")
    try? files.removeItem(atPath: gitDirectory + "/logs")
    try scratch.write("this repository uses the reftable format\n", to: gitDirectory + "/refs/heads")
    try scratch.write("ref: refs/heads/.invalid\n", to: gitDirectory + "/HEAD")
    let table = "0x000000000001-0x000000000003-5b2a6c1e.ref"
    try scratch.write("\(table)\n", to: gitDirectory + "/reftable/tables.list")
    try scratch.write([UInt8](), to: gitDirectory + "/reftable/" + table)
    try scratch.git(["config", "--file", gitDirectory + "/config", "core.repositoryformatversion", "1"])
    try scratch.git(["config", "--file", gitDirectory + "/config", "extensions.refStorage", "reftable"])

    let bin = scratch.root + "/git-2.45"
    try scratch.writeExecutable(
      """
      #!/bin/sh
      # Stands in for Git 2.45+ in a reftable repository: it answers where HEAD points, as
      # `git symbolic-ref` and `git rev-parse` would from the tables, and refuses anything else.
      while [ $# -gt 0 ]; do
        case $1 in -C) shift 2 ;; -*) shift ;; *) break ;; esac
      done
      case "$*" in
        "symbolic-ref -q HEAD" | "symbolic-ref HEAD") echo '\(branch)' ;;
        "rev-parse -q --verify HEAD" | "rev-parse -q --verify HEAD^{commit}" | "rev-parse HEAD" \\
          | "rev-parse -q --verify \(branch)^{commit}") echo '\(commit)' ;;
        *) echo "git 2.45 stand-in: not answered: $*" >&2; exit 128 ;;
      esac

      """, to: bin + "/git")
    var environment = scratch.environment
    environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
    return environment
  }
}
