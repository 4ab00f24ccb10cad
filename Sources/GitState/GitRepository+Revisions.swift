import ChildProcess

extension GitRepository {
  /// The full commit ID `revision` names (a branch, tag, remote-tracking branch, abbreviated
  /// or full commit ID, `HEAD~2` …), or `nil` when it names no commit.
  package func commitID(of revision: String) throws(GitStateError) -> String? {
    guard !revision.isEmpty else { return nil }
    let output = try git.output(["rev-parse", "-q", "--verify", "--end-of-options", revision + "^{commit}"])
    return output.succeeded ? output.standardOutputText.trimmingWhitespace() : nil
  }

  /// The repository's default branch, as a short name (`main`) and the ref that holds its
  /// commit: the branch the remote's `HEAD` points at (`refs/remotes/origin/HEAD`, set by
  /// `git clone` or `git remote set-head`), else a local `main`, else a local `master`.
  ///
  /// - Returns: `nil` when none of them exists.
  package func defaultBranch(remoteName: String = "origin") throws(GitStateError) -> (name: String, ref: String)? {
    let remoteHead = "refs/remotes/\(remoteName)/HEAD"
    let symbolic = try git.output(["symbolic-ref", "-q", remoteHead])
    if symbolic.succeeded {
      let target = symbolic.standardOutputText.trimmingWhitespace()
      let prefix = "refs/remotes/\(remoteName)/"
      if target.hasPrefix(prefix), try commitID(of: target) != nil {
        return (String(target.dropFirst(prefix.count)), target)
      }
    }
    for name in ["main", "master"] where try commit(ofBranch: name) != nil {
      return (name, "refs/heads/" + name)
    }
    return nil
  }

  /// The best common ancestor of two commits (`git merge-base`), or `nil` when their
  /// histories are unrelated.
  package func mergeBase(_ first: String, _ second: String) throws(GitStateError) -> String? {
    let output = try git.output(["merge-base", "--end-of-options", first, second])
    return output.succeeded ? output.standardOutputText.trimmingWhitespace() : nil
  }

  /// The local branches whose history contains `commit`, by short name.
  package func branches(containing commit: String) throws(GitStateError) -> [String] {
    let output = try git.run(["for-each-ref", "--format=%(refname:short)", "--contains", commit, "refs/heads/"])
    return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
  }

  /// What changed from commit `from` to commit `to`: the commits on each side and the files
  /// whose content differs (`git diff from to`, renames detected).
  ///
  /// - Parameter commitLimit: The most commits listed (newest first); the counts are complete.
  package func comparison(from: String, to: String, commitLimit: Int = 20) throws(GitStateError) -> RevisionComparison {
    let counts = String(
      decoding: try git.run(["rev-list", "--left-right", "--count", from + "..." + to, "--"]), as: UTF8.self
    ).split(whereSeparator: { $0 == "\t" || $0 == " " || $0 == "\n" }).compactMap { Int($0) }
    let log = try git.run(["log", "--no-color", "--format=%H%x00%s", "--max-count=\(commitLimit)", from + ".." + to, "--"])
    let commits = String(decoding: log, as: UTF8.self).split(separator: "\n").compactMap { line in
      let fields = line.split(separator: "\0", maxSplits: 1, omittingEmptySubsequences: false)
      return fields.count == 2 ? RevisionComparison.Commit(id: String(fields[0]), subject: String(fields[1])) : nil
    }
    let numstat = try git.run(["diff", "--no-ext-diff", "--no-color", "--numstat", "-z", "-M", from, to, "--"])
    return RevisionComparison(
      from: from, to: to, mergeBase: try mergeBase(from, to), commitsBehind: counts.first ?? 0,
      commitsAhead: counts.count > 1 ? counts[1] : 0, commits: commits,
      files: RevisionComparison.FileChange.parseNumstat(numstat))
  }
}
