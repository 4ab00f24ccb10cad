import Testing
import TestSupport

@testable import GitState

/// Proves the file-reading fast path, the `git` fallback and `git rev-parse` / `git symbolic-ref`
/// all say the same thing about `HEAD` of the repository at `directory`.
func expectHeadAgreesWithGit(
  _ repository: GitRepository, at directory: String, scratch: Scratch,
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let fromFiles = repository.readHeadFromFiles()
  #expect(fromFiles != nil, "the files should answer on this layout", sourceLocation: sourceLocation)
  let fromGit = try repository.readHeadWithGit()
  #expect(fromFiles == fromGit, sourceLocation: sourceLocation)
  let revParse = try? scratch.git(["-C", directory, "rev-parse", "-q", "--verify", "HEAD"])
  #expect(fromFiles?.commit == revParse, sourceLocation: sourceLocation)
  let symbolic = try? scratch.git(["-C", directory, "symbolic-ref", "--short", "-q", "HEAD"])
  #expect(fromFiles?.branch == symbolic, sourceLocation: sourceLocation)
}
