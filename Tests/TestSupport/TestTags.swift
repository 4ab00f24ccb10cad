package import Testing

extension Tag {
  /// Suites that time network faults (timeouts, cancellation, retries): scripts/test.sh runs them
  /// alone, after the others, whose Python and git child processes keep both cores busy.
  @Tag package static var timingSensitive: Self

  /// Suites that make install.sh's two release builds, which take both cores for a minute or
  /// more: scripts/test.sh runs them last, alone.
  @Tag package static var releaseBuild: Self

  /// The chaos test: four worktrees, killed workers and stores going down for minutes, with
  /// every core busy: scripts/test.sh runs it alone, after the other suites.
  @Tag package static var chaos: Self
}
