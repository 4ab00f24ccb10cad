import ChildProcess

extension GitRepository {
  /// Reads where `HEAD` points, from the files in the Git directory.
  ///
  /// Reads `HEAD`, then the loose ref, then `packed-refs`: about 20 µs, where one `git
  /// rev-parse` process costs about 2 ms. Falls back to `git` only when the files cannot answer
  /// (the reftable format, or content it does not recognise).
  ///
  /// - Throws: ``GitStateError`` when neither the files nor `git` can say.
  public func head() throws(GitStateError) -> GitHead {
    if let head = readHeadFromFiles() { return head }
    return try readHeadWithGit()
  }

  /// `nil` when the files cannot answer and `git` must be asked.
  func readHeadFromFiles() -> GitHead? {
    guard let text = FileSystem.trimmedText(of: gitDirectory + "/HEAD") else { return nil }
    if isObjectID(text) { return .detached(commit: text) }
    guard text.hasPrefix("ref:") else { return nil }
    let reference = String(text.dropFirst(4)).trimmingWhitespace()
    // Reftable repositories keep a placeholder here; the real refs are in a binary table.
    guard reference != "refs/heads/.invalid", !FileSystem.exists(commonDirectory + "/reftable") else { return nil }
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
    guard depth < 5, !reference.contains(".."), !reference.hasPrefix("/") else { return .unknown }
    let directory = isPerWorktree(reference) ? gitDirectory : commonDirectory
    let path = directory + "/" + reference
    switch FileSystem.kind(of: path) {
    case .file:
      guard let text = FileSystem.trimmedText(of: path) else { return .unknown }
      if isObjectID(text) { return .commit(text) }
      if text.hasPrefix("ref:") { return resolve(String(text.dropFirst(4)).trimmingWhitespace(), depth: depth + 1) }
      return .unknown
    case .missing, .directory:
      return packedRef(reference)
    case .other:
      return .unknown
    }
  }

  /// Looks `reference` up in `packed-refs` (`<id> <name>` lines, `#` header, `^` peeled lines).
  func packedRef(_ reference: String) -> Resolution {
    guard let bytes = FileSystem.contents(of: commonDirectory + "/packed-refs") else { return .missing }
    let target = Array(reference.utf8)
    for line in bytes.split(separator: UInt8(ascii: "\n")) {
      guard let first = line.first, first != UInt8(ascii: "#"), first != UInt8(ascii: "^") else { continue }
      guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { return .unknown }
      var name = line[(space + 1)...]
      if name.last == UInt8(ascii: "\r") { name = name.dropLast() }
      guard name.elementsEqual(target) else { continue }
      let id = String(decoding: line[line.startIndex..<space], as: UTF8.self)
      return isObjectID(id) ? .commit(id) : .unknown
    }
    return .missing
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
