import Testing
import TestSupport

@testable import GitState

@Suite("Remote URL")
struct RemoteURLTests {
  @Test("a remote with credentials: raw as MLflow stores it, stripped for recording")
  func credentials() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try scratch.git(["-C", repo, "remote", "add", "origin", "https://ci-bot:ghp_s3cret@github.com/acme/app.git"])
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    let url = try #require(snapshot.remoteURL)
    #expect(url.raw == "https://ci-bot:ghp_s3cret@github.com/acme/app.git")
    #expect(url.withoutCredentials == "https://github.com/acme/app.git")
    #expect(url.hasCredentials)
    #expect(!"\(url)".contains("s3cret"))
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: repo, scratch: scratch))
  }

  @Test("no remote of that name: nil, as MLflow")
  func noRemote() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try scratch.git(["-C", repo, "remote", "add", "upstream", "https://example.com/up.git"])
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    #expect(snapshot.remoteURL == nil)
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: repo, scratch: scratch))
    let upstream = try GitSnapshot.read(from: repo, options: .init(remoteName: "upstream"), environment: scratch.environment)
    #expect(upstream.remoteURL?.raw == "https://example.com/up.git")
    MLflowGitInfo.expectSame(upstream, as: try await .read(in: repo, remote: "upstream", scratch: scratch))
  }

  @Test(
    "credentials are removed from every URL form that can carry them, and only those",
    arguments: [
      ("https://user:token@host.example/org/app.git", "https://host.example/org/app.git"),
      ("https://x-access-token@github.com/o/r.git", "https://github.com/o/r.git"),
      ("http://u:p@10.0.0.1:8080/r.git?x=1#f", "http://10.0.0.1:8080/r.git?x=1#f"),
      ("https://u:p%40ss@host/r", "https://host/r"),
      ("ssh://git@github.com/o/r.git", "ssh://git@github.com/o/r.git"),
      ("ssh://git:secret@github.com:22/o/r.git", "ssh://git@github.com:22/o/r.git"),
      ("git+ssh://deploy:pw@host/r.git", "git+ssh://deploy@host/r.git"),
      ("git@github.com:acme/app.git", "git@github.com:acme/app.git"),
      ("file:///srv/git/app.git", "file:///srv/git/app.git"),
      ("/srv/git/app.git", "/srv/git/app.git"),
      ("../relative/app.git", "../relative/app.git"),
      ("https://github.com/acme/app.git", "https://github.com/acme/app.git"),
    ])
  func stripping(raw: String, expected: String) {
    #expect(RemoteURL(raw).withoutCredentials == expected)
    #expect(RemoteURL(raw).hasCredentials == (raw != expected))
  }

  @Test("quoted, commented and continued config values are read as git reads them")
  func configSyntax() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    let config = """
      [core]
      \trepositoryformatversion = 0
      [remote "origin"] ; comment
      \tURL = "https://host/with space/app.git" # trailing comment
      \tfetch = +refs/heads/*:refs/remotes/origin/*
      [remote "origin"]
      \turl = https://host/second\\
      -part.git
      [remote "Other"]
      \turl = git@host:other.git
      [remote.legacy]
      \turl = https://legacy/app.git

      """
    try scratch.write(config, to: repo + "/.git/config")
    let repository = try GitRepository.discover(from: repo, environment: scratch.environment)
    for name in ["origin", "Other", "legacy", "other", "missing"] {
      let git = try? scratch.git(["-C", repo, "config", "--get", "remote.\(name).url"])
      #expect(try repository.remoteURL(named: name)?.raw == git, "remote \(name)")
    }
    #expect(try repository.remoteURL(named: "origin")?.raw == "https://host/second-part.git")
  }

  @Test("a config that includes another file is answered by git")
  func includedConfig() async throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let repo = try scratch.repository()
    try scratch.write("[remote \"origin\"]\n\turl = https://included/app.git\n", to: scratch.root + "/extra.config")
    try scratch.git(["-C", repo, "config", "include.path", scratch.root + "/extra.config"])
    let snapshot = try GitSnapshot.read(from: repo, environment: scratch.environment)
    #expect(snapshot.remoteURL?.raw == "https://included/app.git")
    MLflowGitInfo.expectSame(snapshot, as: try await .read(in: repo, scratch: scratch))
  }

  @Test("the parser reports includes and refuses what it cannot read")
  func parserEdges() {
    #expect(GitConfigFile(text: "[include]\n\tpath = x\n")?.hasIncludes == true)
    #expect(GitConfigFile(text: "[remote \"o\"]\n\turl = \"unterminated\n") == nil)
    #expect(GitConfigFile(text: "[remote \"o\"\n") == nil)
    let file = GitConfigFile(text: "[Core]\n\tBare\n[remote \"o\"]\n\turl = a\n\turl = b\n")
    #expect(file?.lastValue(section: "core", subsection: nil, key: "bare") == nil)
    #expect(file?.entries.first?.key == "bare")
    #expect(file?.lastValue(section: "REMOTE", subsection: "o", key: "URL") == "b")
  }
}
