import Testing
import TestSupport

@testable import GitState

@Suite("Branch and commit")
struct HeadTests {
  @Test("an unborn branch is its own state, not a crash (MLflow dies on it)")
  func unbornBranch() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository(files: [:])
    let repository = try GitRepository.discover(from: repo, environment: scratch.environment)
    #expect(try repository.head() == .unborn("main"))
    try expectHeadAgreesWithGit(repository, at: repo, scratch: scratch)
    let error = #expect(throws: GitStateError.self) { try repository.snapshot() }
    #expect(error?.code == .noCommits)
    #expect(error?.message.contains("first commit") == true)
    #expect(try await MLflowGitInfo.read(in: repo, scratch: scratch).uncaught == true)
  }

  @Test("a reftable repository (laid out as Git 2.45+ writes it; the Git here is 2.39): branch and commit come from git")
  func reftable() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    let commit = try scratch.git(["-C", repo, "rev-parse", "HEAD"])
    let environment = try ReftableLayout.convert(repo, scratch: scratch)
    let repository = try GitRepository.discover(from: repo, environment: environment)
    #expect(try repository.head() == .branch("main", commit: commit), "not the placeholder branch `.invalid`")
    #expect(try repository.commit(ofBranch: "main") == commit, "refs/heads is a file there: the branch is asked of git")
  }

  @Test("detached HEAD without CI variables is reported, like MLflow's refusal")
  func detachedWithoutCI() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    let commit = try scratch.git(["-C", repo, "rev-parse", "HEAD"])
    try scratch.git(["-C", repo, "checkout", "-q", "--detach"])
    let repository = try GitRepository.discover(from: repo, environment: scratch.environment)
    #expect(try repository.head() == .detached(commit: commit))
    try expectHeadAgreesWithGit(repository, at: repo, scratch: scratch)
    let error = #expect(throws: GitStateError.self) { try repository.snapshot() }
    #expect(error?.code == .detachedHead)
    #expect(error?.message.contains("GITHUB_HEAD_REF") == true)
    #expect(try await MLflowGitInfo.read(in: repo, scratch: scratch).error?.contains("detached HEAD") == true)
  }

  @Test(
    "detached HEAD takes the branch from CI variables and says which",
    arguments: [
      (["GITHUB_HEAD_REF": "feature/pr", "GITHUB_REF_NAME": "12/merge"], "feature/pr", "GITHUB_HEAD_REF"),
      (["GITHUB_HEAD_REF": "", "GITHUB_REF_NAME": "release/1.0", "GITHUB_REF_TYPE": "branch"], "release/1.0", "GITHUB_REF_NAME"),
      (["CI_COMMIT_REF_NAME": "gitlab-branch"], "gitlab-branch", "CI_COMMIT_REF_NAME"),
      (["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "mr-source", "CI_COMMIT_REF_NAME": "other"], "mr-source", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"),
      (["CHANGE_BRANCH": "jenkins-pr", "BRANCH_NAME": "PR-7"], "jenkins-pr", "CHANGE_BRANCH"),
      (["BRANCH_NAME": "jenkins-branch"], "jenkins-branch", "BRANCH_NAME"),
      (["BUILDKITE_BRANCH": "bk"], "bk", "BUILDKITE_BRANCH"),
    ])
  func detachedWithCI(variables: [String: String], branch: String, variable: String) throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    let commit = try scratch.git(["-C", repo, "rev-parse", "HEAD"])
    try scratch.git(["-C", repo, "checkout", "-q", "--detach"])
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment.merging(variables) { $1 })
    #expect(snapshot.branch == branch)
    #expect(snapshot.branchSource == .environment(variable: variable))
    #expect(snapshot.commit == commit)
  }

  @Test("a tag build's ref name is not taken for a branch")
  func tagBuildsAreNotBranches() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try scratch.git(["-C", repo, "checkout", "-q", "--detach"])
    for variables in [["GITHUB_REF_NAME": "v1.0", "GITHUB_REF_TYPE": "tag"], ["CI_COMMIT_REF_NAME": "v1.0", "CI_COMMIT_TAG": "v1.0"]] {
      let error = #expect(throws: GitStateError.self) {
        try GitSnapshot.read(from: repo, environment: scratch.environment.merging(variables) { $1 })
      }
      #expect(error?.code == .detachedHead)
    }
    // CI variables never override a branch that HEAD names.
    try scratch.git(["-C", repo, "checkout", "-q", "main"])
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment.merging(["GITHUB_HEAD_REF": "x"]) { $1 })
    #expect(snapshot.branch == "main")
    #expect(snapshot.branchSource == .head)
  }

  @Test("packed refs, loose refs, and a loose ref that overrides its packed copy")
  func packedAndLooseRefs() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    for index in 0..<50 { try scratch.git(["-C", repo, "tag", "t\(index)"]) }
    try scratch.git(["-C", repo, "pack-refs", "--all"])
    let repository = try GitRepository.discover(from: repo, environment: scratch.environment)
    #expect(!FileSystem.exists(repo + "/.git/refs/heads/main"), "main should be packed now")
    try expectHeadAgreesWithGit(repository, at: repo, scratch: scratch)

    try scratch.git(["-C", repo, "commit", "-q", "--allow-empty", "-m", "second"])
    #expect(FileSystem.exists(repo + "/.git/refs/heads/main"), "the new commit writes a loose ref")
    let newCommit = try scratch.git(["-C", repo, "rev-parse", "HEAD"])
    #expect(try repository.head() == .branch("main", commit: newCommit))
    try expectHeadAgreesWithGit(repository, at: repo, scratch: scratch)
    MLflowGitInfo.expectSame(try repository.snapshot(), as: try await .read(in: repo, scratch: scratch))
  }

  @Test(
    "odd branch names are read exactly, as MLflow reads them",
    arguments: ["feat/it's", "feat/say\"hi\"", "feat/café-ü", "team/alice/exp-1", "ünïcødé"])
  func oddBranchNames(branch: String) async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try scratch.git(["-C", repo, "switch", "-q", "-c", branch])
    let repository = try GitRepository.discover(from: repo, environment: scratch.environment)
    #expect(try repository.head().branch == branch)
    try expectHeadAgreesWithGit(repository, at: repo, scratch: scratch)
    MLflowGitInfo.expectSame(try repository.snapshot(), as: try await .read(in: repo, scratch: scratch))
  }

  @Test("a symbolic ref chain is followed")
  func symbolicChain() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try scratch.git(["-C", repo, "symbolic-ref", "refs/heads/alias", "refs/heads/main"])
    try scratch.git(["-C", repo, "symbolic-ref", "HEAD", "refs/heads/alias"])
    let repository = try GitRepository.discover(from: repo, environment: scratch.environment)
    let commit = try scratch.git(["-C", repo, "rev-parse", "HEAD"])
    #expect(try repository.head() == .branch("alias", commit: commit))
  }

  @Test("content the reader does not recognise falls back to git")
  func unrecognisedRefFallsBack() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    let commit = try scratch.git(["-C", repo, "rev-parse", "HEAD"])
    let repository = try GitRepository.discover(from: repo, environment: scratch.environment)
    // An abbreviated id in a loose ref is not something the reader trusts.
    try scratch.write(String(commit.prefix(12)) + "\n", to: repo + "/.git/refs/heads/main")
    #expect(repository.readHeadFromFiles() == nil)
    let head = try? repository.head()
    let git = try? scratch.git(["-C", repo, "rev-parse", "-q", "--verify", "HEAD"])
    #expect(head?.commit == git)
  }
}
