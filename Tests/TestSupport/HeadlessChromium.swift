package import ChildProcess

/// Debian's `chromium` without a display, loading pages from files and 127.0.0.1 only (every
/// other host name fails to resolve), with a private profile.
package enum HeadlessChromium {
  /// The browser, when installed (`scripts/install-system-deps.sh` installs it).
  package static var executable: String? { ChildProcess.resolve("chromium") }

  /// Loads `url`, lets the page run its scripts and requests for up to 20 s of virtual time,
  /// then does what `action` asks: `["--dump-dom"]` prints the rendered page,
  /// `["--screenshot=<path>"]` saves a PNG. Runs through `ChildProcess.runLimited`.
  package static func run(_ action: [String], url: String, profile: String) async throws -> ChildProcess.Output {
    guard let executable else {
      throw TestFailure("chromium is not installed: run scripts/install-system-deps.sh (Debian's chromium package)")
    }
    let output = try await ChildProcess.runLimited(
      executable,
      arguments: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
        "--no-first-run", "--user-data-dir=" + profile, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--window-size=1600,1000", "--virtual-time-budget=20000",
      ] + action + [url],
      environment: ["PATH": "/usr/bin:/bin", "HOME": profile, "LANG": "C.UTF-8"])
    guard output.succeeded else { throw TestFailure("chromium failed: \(output.standardErrorText.suffix(2000))") }
    return output
  }
}
