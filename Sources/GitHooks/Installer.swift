import ChildProcess
import GitState
import LocalFiles

#if canImport(Glibc)
import Glibc
#endif

/// One install or uninstall in one repository (see ``HookInstallation``).
struct Installer {
  let repository: GitRepository
  let setup: HookSetup
  let executablePath: String
  var manifest: InstallManifest
  var report: HookInstallation.Report

  init(repository: GitRepository, setup: HookSetup, executablePath: String) {
    self.repository = repository
    self.setup = setup
    self.executablePath = executablePath
    manifest = InstallManifest(commonDirectory: repository.commonDirectory)
    report = HookInstallation.Report(hooksDirectory: setup.teamHooksDirectory, manager: setup.manager)
  }

  var common: String { repository.commonDirectory }
  /// `.git/hooks`: where git runs hooks when `core.hooksPath` is not set.
  var commonHooks: String { common + "/hooks" }
  /// mlflow-git's own hooks folder: its versioning hooks when a manager runs them (lefthook,
  /// pre-commit, husky lines), and the forwarding folder git runs hooks from.
  var ownHooks: String { StateFolder(commonDirectory: common).hooks }
  var forwardingConfig: String { common + "/" + HookSetup.forwardingConfigName }

  /// How mlflow-git's hooks come to run.
  enum Plan: Equatable {
    /// In a hooks folder git runs, chaining the hooks found there.
    case inPlace(directory: String)
    /// Git runs hooks from ``ownHooks``, which forward to the team's folder `target` (as configured).
    case forwarding(target: String)
    /// Commands in `lefthook-local.yml`, or in the team's configuration `config` (shared).
    case lefthook(config: String, shared: Bool)
    /// A `repo: local` hook in `.pre-commit-config.yaml`.
    case preCommitShared
    /// A line in each event's hook file of the team's folder (husky's `.husky`, a committed
    /// `core.hooksPath` folder); `runs` is the folder git runs.
    case sharedLines(folder: String, header: String, runs: String)

    var mode: String {
      switch self {
      case .inPlace: "in-place"
      case .forwarding: "forwarding"
      case .lefthook: "lefthook"
      case .preCommitShared: "pre-commit-shared"
      case .sharedLines: "shared-lines"
      }
    }

    var usesOwnHooks: Bool {
      if case .inPlace = self { return false }
      return true
    }
  }

  // MARK: - Choosing

  func plan(_ options: HookInstallation.Options) throws(HookInstallError) -> Plan {
    if setup.hooksPathIsShared {
      // Written there before (`--global-hooks` in another repository): this one only opts in.
      let there = PrivateFiles.contents(setup.teamHooksDirectory + "/" + HookProgram.events[0]) ?? []
      if options.globalHooksFolder || HookProgram.isVersioningHook(there) {
        return .inPlace(directory: setup.teamHooksDirectory)
      }
      if options.shared {
        throw HookInstallError(
          "core.hooksPath is set in your \(setup.hooksPathScope ?? "global") Git configuration (\(setup.teamHooksDirectory)), "
            + "a folder with no team configuration to share; run install without --shared (this repository only), or "
            + "with --global-hooks to write into that folder for all your repositories")
      }
      return .forwarding(target: setup.teamHooksDirectory)
    }
    if options.globalHooksFolder {
      throw HookInstallError(
        "--global-hooks writes into a core.hooksPath set in your global Git configuration, and none is set; "
          + "run install without it")
    }
    let workTree = repository.workTree
    switch setup.manager {
    case .lefthook(let config):
      return .lefthook(config: config, shared: options.shared || AddedBlock.isPresent(in: PrivateFiles.contents(config)))
    case .preCommit:
      let shared = options.shared || AddedBlock.isPresent(in: PrivateFiles.contents(workTree + "/" + PreCommit.configName))
      return shared ? .preCommitShared : .inPlace(directory: commonHooks)
    case .husky(let version) where version >= 8:
      let folder = version == 9 ? parent(of: setup.teamHooksDirectory) : setup.teamHooksDirectory
      let header = version == 9 ? "" : "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\n"
      let lines = Plan.sharedLines(folder: folder, header: header, runs: setup.teamHooksDirectory)
      return options.shared || hasSharedLine(in: folder) ? lines : .forwarding(target: setup.hooksPath ?? folder)
    case .hooksPath:
      let folder = setup.teamHooksDirectory
      let tracked = folder.hasPrefix(workTree + "/") && !folder.hasPrefix(repository.gitDirectory)
        && !folder.hasPrefix(common + "/")
      if options.shared && !tracked {
        throw HookInstallError(
          "core.hooksPath (\(folder)) is not a folder of the work tree, so there is nothing to commit for the team; "
            + "run install without --shared")
      }
      let lines = Plan.sharedLines(folder: folder, header: "#!/bin/sh\n", runs: folder)
      return tracked && (options.shared || hasSharedLine(in: folder)) ? lines : .forwarding(target: setup.hooksPath ?? folder)
    case .husky:
      if options.shared {
        throw HookInstallError(
          "husky 4 keeps its hooks in package.json (\"husky\": {\"hooks\": …}), which mlflow-git does not edit; "
            + "run install without --shared, or add `\(SharedHookLine.line("post-commit", arguments: "\"$@\""))` (and "
            + "the same for post-checkout, post-merge, post-rewrite) to those hooks yourself")
      }
      return .forwarding(target: commonHooks)
    case .none:
      if options.shared {
        throw HookInstallError(
          "this repository uses no hook manager, so there is no team configuration to share the setup through; "
            + "each clone runs `mlflow-git install` (the hooks stay in its .git/hooks)")
      }
      return .inPlace(directory: commonHooks)
    }
  }

  func hasSharedLine(in folder: String) -> Bool {
    AddedBlock.isPresent(in: PrivateFiles.contents(folder + "/" + HookProgram.events[0]))
  }

  // MARK: - Installing

  mutating func install(_ options: HookInstallation.Options) throws(HookInstallError) {
    let plan = try plan(options)
    try preflight(plan, writeShared: options.shared)
    let state = StateFolder(commonDirectory: common).path
    try HookInstallation.perform("create", state) { () throws(LocalFileError) in try PrivateFiles.createDirectory(state) }
    // What earlier installs (or earlier versions of mlflow-git) left that this plan does not use.
    if plan != .inPlace(directory: commonHooks) { try removeInPlace(from: commonHooks) }
    if setup.hooksPath != nil, !setup.hooksPathIsShared, plan != .inPlace(directory: setup.teamHooksDirectory) {
      try removeInPlace(from: setup.teamHooksDirectory)
    }
    if !isForwarding(plan) { try removeForwarding() }
    if !plan.usesOwnHooks { try removeOwnHooks() }
    try removeBlocksNotWritten(by: plan)
    manifest.set("shared-file", nil)
    manifest.set("runs", nil)
    manifest.set("global-folder", nil)

    switch plan {
    case .inPlace(let directory):
      try installInPlace(in: directory)
      if directory == commonHooks, case .preCommit = setup.manager {
        report.notes.append(
          "pre-commit: where its hook stands, mlflow-git's is its <hook>.legacy, which pre-commit runs first; "
            + "`pre-commit install` keeps it so")
      }
      if setup.hooksPathIsShared {
        manifest.set("global-folder", directory)
        report.notes.append(
          "wrote into the global hooks folder \(directory): every repository of yours runs these hooks, and they "
            + "journal only in repositories where `mlflow-git install` ran")
      }
    case .forwarding(let target):
      try installForwarding(to: target)
    case .lefthook(let config, let shared):
      try installLefthook(config: config, shared: shared, writeShared: options.shared)
    case .preCommitShared:
      try installPreCommitShared(writeShared: options.shared)
    case .sharedLines(let folder, let header, let runs):
      try installSharedLines(in: folder, header: header, runs: runs, writeShared: options.shared)
    }
    if case .inPlace(let directory) = plan {
      report.hooksDirectory = directory
    } else if isForwarding(plan) {
      report.hooksDirectory = ownHooks
    }
    manifest.set("mode", plan.mode)
    try addExcludeBlock()
    if let mlflowExecutable = options.mlflowExecutable, (try? repository.configValue(HookInstallation.mlflowExecutableKey)) != mlflowExecutable {
      do {
        if try repository.configValue(HookInstallation.mlflowExecutableKey) == nil { manifest.insert("config") }
        try repository.setConfigValue(HookInstallation.mlflowExecutableKey, to: mlflowExecutable)
      } catch {
        throw HookInstallError("could not record \(HookInstallation.mlflowExecutableKey): \(error)")
      }
      report.configChanged = true
    }
    let manifest = self.manifest
    try HookInstallation.perform("write", manifest.path) { () throws(LocalFileError) in try manifest.write() }
  }

  func isForwarding(_ plan: Plan) -> Bool {
    if case .forwarding = plan { return true }
    return false
  }

  /// Writes mlflow-git's hook for each event into `directory`, keeping the hooks found there.
  mutating func installInPlace(in directory: String) throws(HookInstallError) {
    if !FileOperations.isDirectory(directory) {
      try HookInstallation.perform("create", directory) { () throws(LocalFileError) in
        try PrivateFiles.createDirectory(directory, mode: 0o755)
      }
      if directory == commonHooks { manifest.insert("hooks-directory") }
    }
    let script = Array(HookProgram.versioning(executablePath: executablePath).utf8)
    for event in HookProgram.events {
      let path = directory + "/" + event
      try removeStrayCopy(path + ".old", of: event, in: directory)
      let existing = PrivateFiles.contents(path)
      // pre-commit runs `<event>.legacy` first: mlflow-git's hook goes there, next to pre-commit's.
      let target = PreCommit.isItsHook(existing) ? path + PreCommit.legacySuffix : path
      let current = target == path ? existing : PrivateFiles.contents(target)
      if let current, current == script { continue }
      if let current, !HookProgram.isVersioningHook(current) {
        let previous = path + HookProgram.previousSuffix
        guard !FileOperations.exists(previous) else {
          throw HookInstallError(
            "both '\(target)' and '\(previous)' exist and neither is mlflow-git's hook; move one of them away and run install again")
        }
        try HookInstallation.perform("keep", target) { () throws(LocalFileError) in try FileOperations.rename(target, to: previous) }
        report.chained.append(event)
      }
      try HookInstallation.perform("write", target) { () throws(LocalFileError) in try PrivateFiles.replace(target, with: script, mode: 0o755) }
      report.hooks.append(event)
    }
    manifest.set("hooks", directory)
  }

  /// Makes git run hooks from ``ownHooks``: mlflow-git's hooks, which then run the team's
  /// hook of the same name from `target`, and a forwarding hook for each other hook there.
  mutating func installForwarding(to configured: String) throws(HookInstallError) {
    let target = configured.hasPrefix("~/") ? setup.teamHooksDirectory : configured
    try writeOwnHooks(chained: .inFolder(target, suffix: ""))
    let teamHooks = HookSetup.forwardedHooks(in: setup.teamHooksDirectory)
    let forwarder = Array(HookProgram.forwarding(to: target).utf8)
    for name in teamHooks.sorted() {
      let path = ownHooks + "/" + name
      guard PrivateFiles.contents(path) != forwarder else { continue }
      try HookInstallation.perform("write", path) { () throws(LocalFileError) in try PrivateFiles.replace(path, with: forwarder, mode: 0o755) }
      report.otherChanges = true
    }
    for name in listDirectory(ownHooks) where !teamHooks.contains(name) && !HookProgram.events.contains(name) {
      guard HookProgram.isOurs(PrivateFiles.contents(ownHooks + "/" + name) ?? []) else { continue }
      try HookInstallation.perform("remove", ownHooks + "/" + name) { () throws(LocalFileError) in
        try FileOperations.remove(ownHooks + "/" + name)
      }
    }
    let config = Array(("[core]\n\thooksPath = " + Self.configQuoted(ownHooks) + "\n").utf8)
    if PrivateFiles.contents(forwardingConfig) != config {
      try HookInstallation.perform("write", forwardingConfig) { () throws(LocalFileError) in
        try FileOperations.replacePreservingMode(forwardingConfig, with: config)
      }
      report.otherChanges = true
    }
    try addBlock(forwardingInclude, gitLock: true)
    let shown = setup.hooksPath.map { "core.hooksPath (\($0), \(setup.manager))" } ?? "\(setup.manager) in .git/hooks"
    report.notes.append(
      "\(shown) is left as it is: git now runs hooks from \(ownHooks) (an [include] in .git/config), which runs "
        + "your hooks from \(target) by their own names, then mlflow-git's")
  }

  /// The block in `.git/config` that makes ``ownHooks`` git's hooks folder.
  var forwardingInclude: AddedBlock {
    AddedBlock(
      path: common + "/config", purpose: "git runs hooks from mlflow-git's forwarding folder",
      lines: "[include]\n\tpath = " + HookSetup.forwardingConfigName + "\n")
  }

  /// The file lefthook reads mlflow-git's commands from: the team's configuration (shared) or
  /// `lefthook-local.yml`.
  func lefthookFile(config: String, shared: Bool) -> String {
    shared ? config : repository.workTree + "/" + Lefthook.localConfigName
  }

  func lefthookBlock(config: String, shared: Bool) -> AddedBlock {
    AddedBlock(
      path: lefthookFile(config: config, shared: shared), purpose: "registers each new Git state as an MLflow version",
      lines: Lefthook.commands(hooks: shared ? nil : ownHooks))
  }

  func preCommitBlock() -> AddedBlock {
    let file = repository.workTree + "/" + PreCommit.configName
    let indent = PrivateFiles.contents(file).flatMap { PreCommit.repositoriesEnd(in: $0) }?.indent ?? 0
    var block = AddedBlock(
      path: file, purpose: "registers each new Git state as an MLflow version", lines: PreCommit.localRepository(indent: indent))
    block.header = "repos:\n"
    block.insertion = { PreCommit.repositoriesEnd(in: $0)?.offset }
    return block
  }

  func relative(_ path: String) -> String {
    path.hasPrefix(repository.workTree + "/") ? String(path.dropFirst(repository.workTree.count + 1)) : path
  }

  /// Refuses, before anything is written, a plan whose configuration cannot take mlflow-git's
  /// lines: the error says what to add by hand.
  func preflight(_ plan: Plan, writeShared: Bool) throws(HookInstallError) {
    switch plan {
    case .lefthook(let config, let shared) where !shared || writeShared:
      let block = lefthookBlock(config: config, shared: shared)
      let name = relative(block.path)
      if !shared, FileOperations.exists(block.path), (try? repository.isTracked(name)) == true {
        throw HookInstallError(
          "\(name) is tracked, so mlflow-git's commands there would be the team's; run install with --shared "
            + "to add them to \(relative(config)) instead")
      }
      var others = PrivateFiles.contents(block.path) ?? []
      if let range = block.range(in: others) { others.removeSubrange(range) }
      let taken = Lefthook.namedEvents(in: others)
      if !taken.isEmpty {
        throw HookInstallError(
          "\(name) already configures \(taken.joined(separator: ", ")); add mlflow-git's command under each "
            + "(lefthook merges them), as in:\n" + block.text)
      }
    case .preCommitShared where writeShared:
      let block = preCommitBlock()
      if let current = PrivateFiles.contents(block.path), block.range(in: current) == nil,
        PreCommit.repositoriesEnd(in: current) == nil
      {
        throw HookInstallError(
          "\(PreCommit.configName) has no `repos:` list to add mlflow-git's hook to; add this under it:\n" + block.text)
      }
    default:
      break
    }
  }

  mutating func installLefthook(config: String, shared: Bool, writeShared: Bool) throws(HookInstallError) {
    try writeOwnHooks(chained: .inFolder(commonHooks, suffix: ".old"))
    let block = lefthookBlock(config: config, shared: shared)
    let name = relative(block.path)
    if !shared || writeShared {
      try addBlock(block)
      if shared, report.otherChanges { report.filesToCommit.append(name) }
    }
    manifest.set("shared-file", block.path)
    manifest.set("runs", commonHooks + "/" + HookProgram.events[0])
    if !shared, (try? repository.isIgnored(name)) != true {
      try addBlock(AddedBlock(path: common + "/info/exclude", purpose: "lefthook's per-clone configuration", lines: "/" + name + "\n"))
    }
    try runManagerInstall(
      "lefthook", ["install"], record: "lefthook-added", isItsHook: Lefthook.isItsHook,
      missing: "run `lefthook install` so lefthook writes its post-commit, post-checkout, post-merge and post-rewrite hooks")
    report.notes.append(
      "lefthook runs mlflow-git's hooks as its `mlflow-git` command in \(name)"
        + (shared ? "" : " (kept out of Git through .git/info/exclude)") + ", so its re-syncs keep them")
  }

  mutating func installPreCommitShared(writeShared: Bool) throws(HookInstallError) {
    try writeOwnHooks(chained: .besideItself)
    let block = preCommitBlock()
    if writeShared {
      try addBlock(block)
      if report.otherChanges { report.filesToCommit.append(PreCommit.configName) }
    }
    manifest.set("shared-file", block.path)
    manifest.set("runs", commonHooks + "/" + HookProgram.events[0])
    try runManagerInstall(
      "pre-commit", ["install"] + HookProgram.events.flatMap { ["-t", $0] }, record: "pre-commit-added",
      isItsHook: PreCommit.isItsHook,
      missing: "run `pre-commit install -t post-commit -t post-checkout -t post-merge -t post-rewrite`")
    report.notes.append(
      "pre-commit runs mlflow-git's hooks through its `repo: local` hooks in \(PreCommit.configName) (post-* stages)")
  }

  mutating func installSharedLines(in folder: String, header: String, runs: String, writeShared: Bool) throws(HookInstallError) {
    try writeOwnHooks(chained: .besideItself)
    if writeShared {
      for event in HookProgram.events {
        var block = AddedBlock(
          path: folder + "/" + event, purpose: "registers the new Git state as an MLflow version",
          lines: SharedHookLine.hookFileLine(event))
        block.header = header
        let before = report.otherChanges
        report.otherChanges = false
        try addBlock(block, newFileMode: header.isEmpty ? 0o644 : 0o755)
        if report.otherChanges, folder.hasPrefix(repository.workTree + "/") {
          report.filesToCommit.append(String(block.path.dropFirst(repository.workTree.count + 1)))
        }
        report.otherChanges = report.otherChanges || before
      }
    }
    manifest.set("shared-file", folder + "/" + HookProgram.events[0])
    manifest.set("runs", runs + "/" + HookProgram.events[0])
    report.notes.append(
      "\(setup.manager) runs mlflow-git's hooks from a line in each of \(folder)/post-commit, post-checkout, "
        + "post-merge and post-rewrite")
  }

  /// Writes mlflow-git's versioning hooks into ``ownHooks``.
  mutating func writeOwnHooks(chained: HookProgram.Chained) throws(HookInstallError) {
    try HookInstallation.perform("create", ownHooks) { () throws(LocalFileError) in
      try PrivateFiles.createDirectory(ownHooks, mode: 0o755)
    }
    let script = Array(HookProgram.versioning(executablePath: executablePath, chained: chained).utf8)
    for event in HookProgram.events {
      let path = ownHooks + "/" + event
      guard PrivateFiles.contents(path) != script else { continue }
      try HookInstallation.perform("write", path) { () throws(LocalFileError) in try PrivateFiles.replace(path, with: script, mode: 0o755) }
      report.hooks.append(event)
    }
    manifest.set("hooks", ownHooks)
  }

  /// Adds `block`, recording it (and what adding changed) for uninstall.
  mutating func addBlock(_ block: AddedBlock, newFileMode: mode_t = 0o644, gitLock: Bool = false) throws(HookInstallError) {
    let changes = try HookInstallation.perform("update", block.path) { () throws(LocalFileError) in
      try block.add(newFileMode: newFileMode, gitLock: gitLock)
    }
    guard let changes else { return }
    manifest.insert("block", block.path)
    manifest.record(changes, for: block.path)
    report.otherChanges = true
  }

  /// Runs a hook manager's own install (`lefthook install`, `pre-commit install -t …`), and
  /// records the hooks it wrote that were not its before, for uninstall.
  mutating func runManagerInstall(
    _ tool: String, _ arguments: [String], record: String, isItsHook: ([UInt8]?) -> Bool, missing: String
  ) throws(HookInstallError) {
    let before = HookProgram.events.filter { isItsHook(PrivateFiles.contents(commonHooks + "/" + $0)) }
    let checksum = common + "/" + Lefthook.checksumName
    let checksumExisted = FileOperations.exists(checksum)
    guard let executable = ChildProcess.resolve(tool) else {
      report.notes.append("\(tool) is not on PATH: \(missing); until then, commits are not registered")
      return
    }
    let output: ChildProcess.Output
    do {
      output = try repository.runInWorkTree(executable, arguments)
    } catch {
      throw HookInstallError("could not run \(tool): \(error)")
    }
    guard output.succeeded else {
      throw HookInstallError(
        "`\(tool) \(arguments.joined(separator: " "))` failed (\(output.exitStatus)): "
          + (output.standardErrorText + output.standardOutputText).split(separator: "\n").joined(separator: " "))
    }
    for event in HookProgram.events where !before.contains(event) && isItsHook(PrivateFiles.contents(commonHooks + "/" + event)) {
      manifest.insert(record, event)
      report.otherChanges = true
      if FileOperations.exists(commonHooks + "/" + event + ".old") || FileOperations.exists(commonHooks + "/" + event + ".legacy") {
        report.chained.append(event)
      }
    }
    if tool == "lefthook", !checksumExisted, FileOperations.exists(checksum) { manifest.insert("manager-created", checksum) }
  }

  mutating func addExcludeBlock() throws(HookInstallError) {
    let block = Self.excludeBlock(common: common)
    let changes = try HookInstallation.perform("update", block.path) { () throws(LocalFileError) in
      try PrivateFiles.createDirectory(common + "/info", creatingParents: false, mode: 0o755)
      return try block.add()
    }
    guard let changes else { return }
    if changes.createdFile { manifest.insert("exclude") }
    if changes.addedNewline { manifest.insert("exclude-newline") }
    report.excludeChanged = true
  }

  static func excludeBlock(common: String) -> AddedBlock {
    AddedBlock(
      path: common + "/info/exclude", text: HookInstallation.excludeBlockText,
      start: "# mlflow-git: the local MLflow store", end: "# end mlflow-git")
  }

  /// `text` as a Git config value: quoted, with `"` and `\` escaped.
  static func configQuoted(_ text: String) -> String {
    "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
  }

  // MARK: - Removing

  /// Removes mlflow-git's hooks from `directory` (under their event names and as pre-commit's
  /// `.legacy` or lefthook's `.old` copies), putting back the hooks they chained.
  mutating func removeInPlace(from directory: String) throws(HookInstallError) {
    for event in HookProgram.events {
      for name in [event, event + PreCommit.legacySuffix, event + ".old"] {
        try removeStrayCopy(directory + "/" + name, of: event, in: directory)
      }
    }
  }

  /// Removes mlflow-git's hook at `path` (one of `event`'s names in `directory`); the user's
  /// hook it chained takes that name again.
  mutating func removeStrayCopy(_ path: String, of event: String, in directory: String) throws(HookInstallError) {
    guard let bytes = PrivateFiles.contents(path), HookProgram.isVersioningHook(bytes) else { return }
    try HookInstallation.perform("remove", path) { () throws(LocalFileError) in try FileOperations.remove(path) }
    report.hooks.append(event)
    let previous = directory + "/" + event + HookProgram.previousSuffix
    if FileOperations.exists(previous) {
      try HookInstallation.perform("restore", previous) { () throws(LocalFileError) in try FileOperations.rename(previous, to: path) }
      report.chained.append(event)
    }
  }

  mutating func removeForwarding() throws(HookInstallError) {
    let include = forwardingInclude
    let found = try HookInstallation.perform("update", include.path) { () throws(LocalFileError) in
      try include.remove(undoing: manifest.changes(for: include.path), gitLock: true)
    }
    if found {
      manifest.remove("block", include.path)
      manifest.forget(include.path)
      report.otherChanges = true
    }
    if FileOperations.exists(forwardingConfig) {
      try HookInstallation.perform("remove", forwardingConfig) { () throws(LocalFileError) in try FileOperations.remove(forwardingConfig) }
    }
  }

  mutating func removeOwnHooks() throws(HookInstallError) {
    for name in listDirectory(ownHooks) where HookProgram.isOurs(PrivateFiles.contents(ownHooks + "/" + name) ?? []) {
      try HookInstallation.perform("remove", ownHooks + "/" + name) { () throws(LocalFileError) in
        try FileOperations.remove(ownHooks + "/" + name)
      }
      if HookProgram.events.contains(name) { report.hooks.append(name) }
    }
    FileOperations.removeEmptyDirectory(ownHooks)
  }

  /// Removes the blocks install added that `plan` does not write (all, for `nil`).
  mutating func removeBlocksNotWritten(by plan: Plan?) throws(HookInstallError) {
    for path in manifest.values("block") where path != forwardingInclude.path {
      if let plan {
        switch plan {
        case .lefthook(let config, let shared) where path == (shared ? config : repository.workTree + "/" + Lefthook.localConfigName):
          continue
        case .lefthook(_, false) where path == common + "/info/exclude":
          continue
        case .preCommitShared where path == repository.workTree + "/" + PreCommit.configName:
          continue
        case .sharedLines(let folder, _, _) where path.hasPrefix(folder + "/"):
          continue
        default: break
        }
      }
      let block = AddedBlock(path: path, purpose: "", lines: "")
      let changes = manifest.changes(for: path)
      let found = try HookInstallation.perform("update", path) { () throws(LocalFileError) in try block.remove(undoing: changes) }
      manifest.remove("block", path)
      manifest.forget(path)
      if found {
        report.otherChanges = true
        if path.hasPrefix(repository.workTree + "/"), !path.hasPrefix(common + "/") {
          report.filesToCommit.append(String(path.dropFirst(repository.workTree.count + 1)))
        }
      }
    }
  }

  mutating func uninstall(globalHooksFolder: Bool) throws(HookInstallError) {
    try removeInPlace(from: commonHooks)
    if setup.hooksPath != nil, !setup.hooksPathIsShared || globalHooksFolder {
      try removeInPlace(from: setup.teamHooksDirectory)
    } else if setup.hooksPathIsShared, HookProgram.isVersioningHook(
      PrivateFiles.contents(setup.teamHooksDirectory + "/" + HookProgram.events[0]) ?? [])
    {
      report.notes.append(
        "the global hooks folder \(setup.teamHooksDirectory) keeps mlflow-git's hooks for your other repositories "
          + "(they journal nothing here now); `mlflow-git uninstall --global-hooks` removes them")
    }
    try removeForwarding()
    try removeOwnHooks()
    try removeBlocksNotWritten(by: nil)
    for event in manifest.values("lefthook-added") {
      let path = commonHooks + "/" + event
      let config = Lefthook.configFile(in: repository.workTree).flatMap(PrivateFiles.contents)
      if Lefthook.isItsHook(PrivateFiles.contents(path)), !Lefthook.namedEvents(in: config).contains(event) {
        try restoreManagerHook(at: path, kept: path + ".old")
      }
    }
    for event in manifest.values("pre-commit-added") {
      let path = commonHooks + "/" + event
      if PreCommit.isItsHook(PrivateFiles.contents(path)) {
        try restoreManagerHook(at: path, kept: path + PreCommit.legacySuffix)
      }
    }
    for path in manifest.values("manager-created") {
      try HookInstallation.perform("remove", path) { () throws(LocalFileError) in try FileOperations.remove(path) }
    }
    if manifest.contains("hooks-directory") { FileOperations.removeEmptyDirectory(commonHooks) }
    let exclude = Self.excludeBlock(common: common)
    let excludeChanges = AddedBlock.Changes(
      createdFile: manifest.contains("exclude"), addedNewline: manifest.contains("exclude-newline"))
    if try HookInstallation.perform("update", exclude.path, { () throws(LocalFileError) in try exclude.remove(undoing: excludeChanges) }) {
      report.excludeChanged = true
    }
    if manifest.contains("config") {
      do {
        try repository.removeConfigValue(HookInstallation.mlflowExecutableKey)
      } catch {
        throw HookInstallError("could not remove \(HookInstallation.mlflowExecutableKey): \(error)")
      }
      report.configChanged = true
    }
    try HookInstallation.perform("remove", manifest.path) { () throws(LocalFileError) in try FileOperations.remove(manifest.path) }
    var records = repository
    records.recordsFolder = StateFolder.name
    records.removeStatusRecords()
  }

  /// Removes a hook a manager wrote because of mlflow-git, putting back the hook it kept aside.
  mutating func restoreManagerHook(at path: String, kept: String) throws(HookInstallError) {
    try HookInstallation.perform("remove", path) { () throws(LocalFileError) in try FileOperations.remove(path) }
    report.otherChanges = true
    if FileOperations.exists(kept) {
      try HookInstallation.perform("restore", kept) { () throws(LocalFileError) in try FileOperations.rename(kept, to: path) }
    }
  }

  func parent(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
  }
}

/// The names in `directory` (none when it is missing), without `.` and `..`.
func listDirectory(_ directory: String) -> [String] {
  guard let stream = opendir(directory) else { return [] }
  defer { closedir(stream) }
  var names: [String] = []
  while let entry = readdir(stream) {
    let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    if name != "." && name != ".." { names.append(name) }
  }
  return names.sorted()
}
