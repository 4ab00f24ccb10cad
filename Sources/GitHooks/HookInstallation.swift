import GitState
import LocalFiles

#if canImport(Glibc)
import Glibc
#endif

/// Installs and removes mlflow-git's hooks in a repository, keeping what the user had.
///
/// - Hooks go where git runs them: `core.hooksPath` when set (husky and friends), else the
///   common directory's `hooks/`, shared by every linked worktree.
/// - A hook file that is not ours is kept as `<event>.mlflow-git-previous` and runs first
///   (same arguments, same input, its exit status is the hook's).
/// - `mlflow.db`, its lock file and `mlruns/` are added to `<common dir>/info/exclude` (never
///   to the user's committed `.gitignore`).
/// - Installing twice changes nothing; uninstalling restores every file byte for byte.
///
/// # Usage
/// ```swift
/// let repository = try GitRepository.discover(from: "/src/app")
/// let report = try HookInstallation.install(in: repository, executablePath: "/usr/local/bin/mlflow-git")
/// print(report.summary)
/// ```
public enum HookInstallation {
  /// What an install or uninstall changed.
  public struct Report: Sendable, Hashable {
    /// The hooks folder used.
    public var hooksDirectory: String
    /// Hook files written or removed.
    public var hooks: [String] = []
    /// Users' hooks kept and chained (install) or put back (uninstall).
    public var chained: [String] = []
    /// Whether `info/exclude` changed.
    public var excludeChanged = false
    /// Whether the `mlflow-git.mlflowExecutable` setting changed.
    public var configChanged = false

    /// `true` when nothing had to change.
    public var unchanged: Bool { hooks.isEmpty && chained.isEmpty && !excludeChanged && !configChanged }
  }

  /// The lines mlflow-git adds to `info/exclude`, as one block.
  static let excludeBlock = """
    # mlflow-git: the local MLflow store (added by `mlflow-git install`)
    mlflow.db
    mlflow.db.lock
    mlruns/
    # end mlflow-git

    """

  /// The repository setting naming the `mlflow` command that creates a missing `mlflow.db`.
  public static let mlflowExecutableKey = "mlflow-git.mlflowExecutable"

  /// Installs the hooks, calling the `mlflow-git` executable at `executablePath`.
  ///
  /// - Parameter mlflowExecutable: When given, recorded as `git config mlflow-git.mlflowExecutable`
  ///   (removed again by ``uninstall(from:)``), for hooks that run where `mlflow` is not on `PATH`.
  public static func install(
    in repository: GitRepository, executablePath: String, mlflowExecutable: String? = nil
  ) throws(HookInstallError) -> Report {
    let directory = try hooksDirectory(of: repository)
    var report = Report(hooksDirectory: directory)
    let state = repository.commonDirectory + "/mlflow-git"
    let manifest = Manifest(path: state + "/install")
    var created = manifest.read()
    try perform("create", directory) { () throws(LocalFileError) in
      try PrivateFiles.createDirectory(state)
      if !isDirectory(directory) {
        try createDirectories(directory, mode: 0o755)
        created.insert("hooks-directory")
      }
    }
    let script = Array(HookScript.text(executablePath: executablePath).utf8)
    for event in HookScript.events {
      let path = directory + "/" + event
      let existing = try perform("read", path) { () throws(LocalFileError) in try PrivateFiles.read(path) }
      if let existing, existing == script { continue }
      if let existing, !isOurs(existing) {
        let previous = path + HookScript.previousSuffix
        guard !exists(previous) else {
          throw HookInstallError(
            "both '\(path)' and '\(previous)' exist and neither is mlflow-git's hook; move one of them away and run install again")
        }
        try perform("keep", path) { () throws(LocalFileError) in try rename(path, to: previous) }
        report.chained.append(event)
      }
      try perform("write", path) { () throws(LocalFileError) in try writeExecutable(script, to: path) }
      report.hooks.append(event)
    }
    let exclude = repository.commonDirectory + "/info/exclude"
    let current = try perform("read", exclude) { () throws(LocalFileError) in try PrivateFiles.read(exclude) }
    let block = Array(excludeBlock.utf8)
    if !(current ?? []).contains(block) {
      if current == nil { created.insert("exclude") }
      var updated = current ?? []
      if let last = updated.last, last != UInt8(ascii: "\n") { updated.append(UInt8(ascii: "\n")); created.insert("exclude-newline") }
      updated += block
      try perform("update", exclude) { () throws(LocalFileError) in
        try createDirectory(repository.commonDirectory + "/info", mode: 0o755)
        try replacePreservingMode(exclude, with: updated)
      }
      report.excludeChanged = true
    }
    if let mlflowExecutable, (try? repository.configValue(mlflowExecutableKey)) != mlflowExecutable {
      do {
        if try repository.configValue(mlflowExecutableKey) == nil { created.insert("config") }
        try repository.setConfigValue(mlflowExecutableKey, to: mlflowExecutable)
      } catch {
        throw HookInstallError("could not record \(mlflowExecutableKey): \(error)")
      }
      report.configChanged = true
    }
    try perform("write", manifest.path) { () throws(LocalFileError) in try manifest.write(created) }
    return report
  }

  /// Removes the hooks and the exclude lines, putting back what was there before.
  public static func uninstall(from repository: GitRepository) throws(HookInstallError) -> Report {
    let directory = try hooksDirectory(of: repository)
    var report = Report(hooksDirectory: directory)
    let manifest = Manifest(path: repository.commonDirectory + "/mlflow-git/install")
    let created = manifest.read()
    for event in HookScript.events {
      let path = directory + "/" + event
      let existing = try perform("read", path) { () throws(LocalFileError) in try PrivateFiles.read(path) }
      guard let existing, isOurs(existing) else { continue }
      try perform("remove", path) { () throws(LocalFileError) in try remove(path) }
      report.hooks.append(event)
      let previous = path + HookScript.previousSuffix
      if exists(previous) {
        try perform("restore", previous) { () throws(LocalFileError) in try rename(previous, to: path) }
        report.chained.append(event)
      }
    }
    if created.contains("hooks-directory") { rmdir(directory) }
    let exclude = repository.commonDirectory + "/info/exclude"
    if let current = try perform("read", exclude, { () throws(LocalFileError) in try PrivateFiles.read(exclude) }),
      let range = current.firstRange(of: Array(excludeBlock.utf8))
    {
      var restored = current
      restored.removeSubrange(range)
      if created.contains("exclude-newline"), range.lowerBound == restored.count, restored.last == UInt8(ascii: "\n") {
        restored.removeLast()
      }
      try perform("update", exclude) { () throws(LocalFileError) in
        if created.contains("exclude") && restored.isEmpty {
          try remove(exclude)
        } else {
          try replacePreservingMode(exclude, with: restored)
        }
      }
      report.excludeChanged = true
    }
    if created.contains("config") {
      do {
        try repository.removeConfigValue(mlflowExecutableKey)
      } catch {
        throw HookInstallError("could not remove \(mlflowExecutableKey): \(error)")
      }
      report.configChanged = true
    }
    try perform("remove", manifest.path) { () throws(LocalFileError) in try remove(manifest.path) }
    repository.removeStatusRecords()
    return report
  }

  /// Where each event's hook stands.
  public enum HookState: Sendable, Hashable {
    /// mlflow-git's hook, calling `executablePath`; `chained` when a user's hook runs first.
    case installed(executablePath: String?, chained: Bool)
    /// Another hook, not mlflow-git's.
    case foreign
    /// No hook file.
    case missing
  }

  /// The state of each event's hook, for `mlflow-git doctor`.
  public static func states(in repository: GitRepository) throws(HookInstallError) -> [(event: String, state: HookState)] {
    let directory = try hooksDirectory(of: repository)
    return HookScript.events.map { event in
      let path = directory + "/" + event
      guard let bytes = (try? PrivateFiles.read(path)) ?? nil else { return (event, .missing) }
      guard isOurs(bytes) else { return (event, .foreign) }
      let text = String(decoding: bytes, as: UTF8.self)
      let executable = text.split(separator: "\n").first { $0.hasPrefix("mlflow_git='") }
        .map { String($0.dropFirst("mlflow_git='".count).dropLast()).replacing( "'\\''", with: "'") }
      return (event, .installed(executablePath: executable, chained: exists(path + HookScript.previousSuffix)))
    }
  }

  static func hooksDirectory(of repository: GitRepository) throws(HookInstallError) -> String {
    do {
      return try repository.hooksDirectory()
    } catch {
      throw HookInstallError("cannot find the hooks folder: \(error)")
    }
  }

  static func isOurs(_ bytes: [UInt8]) -> Bool {
    bytes.prefix(400).contains(Array(HookScript.marker.utf8))
  }

  private static func perform<T>(_ what: String, _ path: String, _ body: () throws(LocalFileError) -> T)
    throws(HookInstallError) -> T
  {
    do {
      return try body()
    } catch {
      throw HookInstallError("could not \(what) '\(path)': \(error)")
    }
  }
}

/// An installation step failed; the message says which and what to do.
public struct HookInstallError: Error, Sendable, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// What `install` created (and `uninstall` must remove), kept in `mlflow-git/install`.
struct Manifest {
  let path: String

  func read() -> Set<String> {
    guard let bytes = (try? PrivateFiles.read(path)) ?? nil else { return [] }
    return Set(String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init))
  }

  func write(_ items: Set<String>) throws(LocalFileError) {
    try PrivateFiles.replace(path, with: Array(items.sorted().map { $0 + "\n" }.joined().utf8))
  }
}
