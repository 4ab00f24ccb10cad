import ChildProcess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GitRepository {
  /// Reads where `HEAD` points, from the files in the Git directory.
  ///
  /// Reads `HEAD`, then the loose ref, then `packed-refs`, in-process: starting one `git
  /// rev-parse` costs many times more (GitStateBenchmark). Falls back to `git` only when the files cannot answer
  /// (the reftable format, or content it does not recognise).
  ///
  /// - Throws: ``GitStateError`` when neither the files nor `git` can say.
  public func head() throws(GitStateError) -> GitHead {
    if let head = readHeadFromFiles() { return head }
    return try readHeadWithGit()
  }

  /// The commit at the tip of branch `name` (short name, e.g. `feature/x`), or `nil` when the
  /// branch does not exist. Read from the ref files; `git` is asked only when they cannot say.
  package func commit(ofBranch name: String) throws(GitStateError) -> String? {
    switch resolve("refs/heads/" + name) {
    case .commit(let id): return id
    case .missing: return nil
    case .unknown:
      let output = try git.output(["rev-parse", "-q", "--verify", "refs/heads/\(name)^{commit}"])
      return output.succeeded ? output.standardOutputText.trimmingWhitespace() : nil
    }
  }

  /// `nil` when the files cannot answer and `git` must be asked.
  func readHeadFromFiles() -> GitHead? {
    guard let text = FileSystem.trimmedText(of: gitDirectory + "/HEAD") else { return nil }
    if isObjectID(text) { return .detached(commit: text) }
    guard text.hasPrefix("ref:") else { return nil }
    let reference = String(text.dropFirst(4)).trimmingWhitespace()
    // Reftable repositories keep this placeholder here; the real refs are in a binary table.
    guard reference != "refs/heads/.invalid" else { return nil }
    let branch = reference.hasPrefix("refs/heads/") ? String(reference.dropFirst("refs/heads/".count)) : reference
    switch resolve(reference) {
    case .commit(let commit): return .branch(branch, commit: commit)
    case .missing: return .unborn(branch)
    case .unknown: return nil
    }
  }

  enum Resolution: Equatable { case commit(String), missing, unknown }

  /// Resolves a full ref name through loose ref files, symbolic refs and `packed-refs`.
  func resolve(_ reference: String, depth: Int = 0) -> Resolution {
    guard depth < 5, FileSystem.isNormalized("/" + reference) else { return .unknown }
    let directory = isPerWorktree(reference) ? gitDirectory : commonDirectory
    switch FileSystem.read(directory + "/" + reference) {
    case .contents(let bytes):
      let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
      if isObjectID(text) { return .commit(text) }
      if text.hasPrefix("ref:") { return resolve(String(text.dropFirst(4)).trimmingWhitespace(), depth: depth + 1) }
      return .unknown
    case .missing, .notAFile:
      // A reftable repository (Git 2.45+) keeps its refs in a binary table: only git can say.
      if FileSystem.isDirectory(commonDirectory + "/reftable") { return .unknown }
      return packedRef(reference)
    case .unreadable:
      return .unknown
    }
  }

  /// Looks `reference` up in `packed-refs` (`<id> <name>` lines, a `#` header, `^` peeled
  /// lines). Lines are found with `memchr` and compared with `memcmp`, which keeps a file of
  /// 500 tags to a few microseconds.
  func packedRef(_ reference: String) -> Resolution {
    guard let bytes = FileSystem.contents(of: commonDirectory + "/packed-refs") else { return .missing }
    let suffix = Array((" " + reference).utf8)
    return bytes.withUnsafeBufferPointer { buffer -> Resolution in
      guard let base = buffer.baseAddress else { return .missing }
      var lineStart = 0
      while lineStart < buffer.count {
        let lineEnd = memchr(base + lineStart, 0x0A, buffer.count - lineStart)
          .map { $0.assumingMemoryBound(to: UInt8.self) - UnsafeMutablePointer(mutating: base) } ?? buffer.count
        let length = lineEnd - lineStart
        let first = base[lineStart]
        if length > suffix.count, first != UInt8(ascii: "^"), first != UInt8(ascii: "#"),
          memcmp(base + lineEnd - suffix.count, suffix, suffix.count) == 0
        {
          let id = String(decoding: UnsafeBufferPointer(start: base + lineStart, count: length - suffix.count), as: UTF8.self)
          return isObjectID(id) ? .commit(id) : .unknown
        }
        lineStart = lineEnd + 1
      }
      return .missing
    }
  }

  /// Refs that live in each worktree's own Git directory rather than the common one.
  func isPerWorktree(_ reference: String) -> Bool {
    !reference.hasPrefix("refs/") || reference.hasPrefix("refs/bisect/")
      || reference.hasPrefix("refs/worktree/") || reference.hasPrefix("refs/rewritten/")
  }

  func readHeadWithGit() throws(GitStateError) -> GitHead {
    let symbolic = try git.output(["symbolic-ref", "-q", "HEAD"])
    let commitOutput = try git.output(["rev-parse", "-q", "--verify", "HEAD^{commit}"])
    let commit = commitOutput.succeeded ? commitOutput.standardOutputText.trimmingWhitespace() : nil
    if symbolic.succeeded {
      let reference = symbolic.standardOutputText.trimmingWhitespace()
      let branch = reference.hasPrefix("refs/heads/") ? String(reference.dropFirst("refs/heads/".count)) : reference
      if let commit { return .branch(branch, commit: commit) }
      return .unborn(branch)
    }
    guard let commit else { throw GitStateError.gitFailed(["rev-parse", "HEAD"], commitOutput) }
    return .detached(commit: commit)
  }
}

/// A full SHA-1 (40) or SHA-256 (64) object id in lowercase hex.
func isObjectID(_ text: String) -> Bool {
  let utf8 = text.utf8
  guard utf8.count == 40 || utf8.count == 64 else { return false }
  return utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
}

extension GitRepository {
  /// The commits of `range` (anything `git rev-list` takes: `main`, `v1.0..HEAD`), oldest
  /// first, following first parents only (the commits made on that line of history).
  ///
  /// - Parameter limit: The most commits returned: the newest ones.
  package func commits(in range: String, limit: Int) throws(GitStateError) -> [String] {
    let output = try git.run(["rev-list", "--first-parent", "--max-count=\(limit)", range, "--"])
    return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init).reversed()
  }
}
