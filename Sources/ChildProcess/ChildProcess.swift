#if canImport(Glibc)
package import Glibc
#elseif canImport(Darwin)
package import Darwin
#endif

/// Runs a program to completion with `posix_spawn` and collects what it printed.
///
/// Foundation's `Process.waitUntilExit()` polls a run loop in slices on Linux, so a short
/// `git rev-parse` costs a whole slice through it. This spawns directly, reads
/// standard output and standard error together with `poll(2)` (no deadlock on a full pipe) and
/// reaps the child with `waitpid`.
///
/// A non-zero exit status is a normal result, not a thrown error: inspect ``Output/exitStatus``.
///
/// ``run(_:arguments:environment:standardInput:outputLimit:)`` blocks the calling thread until
/// the child exits. From async code, for anything slower than a few milliseconds, use
/// ``runAsync(_:arguments:environment:standardInput:outputLimit:)``: it waits on a thread of its
/// own and leaves Swift's cooperative threads free.
///
/// # Usage
/// ```swift
/// let output = try ChildProcess.run("git", arguments: ["--version"])
/// if output.succeeded { print(output.standardOutputText) }
///
/// let slow = try await ChildProcess.runAsync("python3", arguments: ["-c", "print(1)"])
/// ```
package enum ChildProcess {
  /// What a finished child process left behind.
  package struct Output: Sendable, Equatable {
    /// The exit status, or `128 + signal` when a signal ended the process.
    package var exitStatus: Int32
    /// Everything written to standard output, byte for byte.
    package var standardOutput: [UInt8]
    /// Everything written to standard error, byte for byte.
    package var standardError: [UInt8]

    package init(exitStatus: Int32, standardOutput: [UInt8], standardError: [UInt8]) {
      self.exitStatus = exitStatus
      self.standardOutput = standardOutput
      self.standardError = standardError
    }

    /// `true` when the process exited with status 0.
    package var succeeded: Bool { exitStatus == 0 }

    /// Standard output decoded as UTF-8 (invalid sequences replaced).
    package var standardOutputText: String { String(decoding: standardOutput, as: UTF8.self) }

    /// Standard error decoded as UTF-8 (invalid sequences replaced), trimmed of surrounding white space.
    package var standardErrorText: String {
      String(decoding: standardError, as: UTF8.self).trimmingWhitespace()
    }
  }

  /// Runs `executable` and waits for it to exit.
  ///
  /// - Parameters:
  ///   - executable: A path with a `/`, or a program name looked up on the `PATH` of
  ///     `environment` (of this process when `environment` is `nil`).
  ///   - arguments: The arguments, without the program name.
  ///   - environment: The child's complete environment. `nil` inherits this process's.
  ///   - standardInput: Bytes fed to the child's standard input; `nil` connects `/dev/null`.
  ///   - outputLimit: The most bytes of standard output kept; past it the child is killed and
  ///     ``ChildProcessError/Code-swift.struct/outputLimitExceeded`` is thrown.
  /// - Returns: The exit status and everything the child printed.
  /// - Throws: ``ChildProcessError`` when the program cannot be started or its output is too large.
  package static func run(
    _ executable: String,
    arguments: [String],
    environment: [String: String]? = nil,
    standardInput: [UInt8]? = nil,
    outputLimit: Int = .max
  ) throws(ChildProcessError) -> Output {
    var fileActions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&fileActions)
    defer { posix_spawn_file_actions_destroy(&fileActions) }

    // From the first pipe to the spawn, no other spawn of this process runs (see withSpawnLock).
    ChildProcess.spawnLock.lock()
    var holdsSpawnLock = true
    defer { if holdsSpawnLock { ChildProcess.spawnLock.unlock() } }
    var parentEnds: [Int32] = []
    var childEnds: [Int32] = []
    defer { for fd in parentEnds + childEnds where fd >= 0 { close(fd) } }
    let stdoutPipe = try makePipe(executable)
    parentEnds.append(stdoutPipe.read)
    childEnds.append(stdoutPipe.write)
    let stderrPipe = try makePipe(executable)
    parentEnds.append(stderrPipe.read)
    childEnds.append(stderrPipe.write)
    var stdinPipe: (read: Int32, write: Int32)? = nil
    if standardInput != nil {
      let pipe = try makePipe(executable)
      parentEnds.append(pipe.write)
      childEnds.append(pipe.read)
      stdinPipe = pipe
    }

    if let stdinPipe {
      posix_spawn_file_actions_adddup2(&fileActions, stdinPipe.read, 0)
    } else {
      posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
    }
    posix_spawn_file_actions_adddup2(&fileActions, stdoutPipe.write, 1)
    posix_spawn_file_actions_adddup2(&fileActions, stderrPipe.write, 2)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, startWithDefaultSignals(&attributes))

    guard let path = resolve(executable, environment: environment) else {
      throw ChildProcessError(code: .executableNotFound, executable: executable, errno: ENOENT)
    }
    let argv = [executable] + arguments
    let envp = environment.map { $0.map { "\($0.key)=\($0.value)" } }

    var pid = pid_t()
    let spawnStatus = withCStringArray(argv) { argvPointer in
      if let envp {
        return withCStringArray(envp) { envPointer in
          posix_spawn(&pid, path, &fileActions, &attributes, argvPointer, envPointer)
        }
      }
      return posix_spawn(&pid, path, &fileActions, &attributes, argvPointer, environ)
    }
    ChildProcess.spawnLock.unlock()
    holdsSpawnLock = false
    for fd in childEnds { close(fd) }
    childEnds = []
    guard spawnStatus == 0 else {
      let code: ChildProcessError.Code = spawnStatus == ENOENT ? .executableNotFound : .spawnFailed
      throw ChildProcessError(code: code, executable: executable, errno: spawnStatus)
    }

    var stdoutBytes: [UInt8] = []
    var stderrBytes: [UInt8] = []
    var limitExceeded = false
    var pending = standardInput.map { $0[...] }
    if let stdinPipe {
      // Never block on a full pipe while the child waits for us to read its output.
      _ = fcntl(stdinPipe.write, F_SETFL, fcntl(stdinPipe.write, F_GETFL) | O_NONBLOCK)
    }
    if let stdinPipe, pending?.isEmpty ?? true {
      close(stdinPipe.write)
      parentEnds[2] = -1
      pending = nil
    }
    var open = [stdoutPipe.read: true, stderrPipe.read: true]
    var buffer = [UInt8](repeating: 0, count: 65_536)

    while open.values.contains(true) || pending != nil {
      var pollSet: [pollfd] = []
      if open[stdoutPipe.read] == true { pollSet.append(pollfd(fd: stdoutPipe.read, events: Int16(POLLIN), revents: 0)) }
      if open[stderrPipe.read] == true { pollSet.append(pollfd(fd: stderrPipe.read, events: Int16(POLLIN), revents: 0)) }
      if pending != nil, let stdinPipe { pollSet.append(pollfd(fd: stdinPipe.write, events: Int16(POLLOUT), revents: 0)) }
      let ready = poll(&pollSet, nfds_t(pollSet.count), -1)
      if ready < 0 {
        if errno == EINTR { continue }
        break
      }
      for entry in pollSet where entry.revents != 0 {
        if entry.fd == stdinPipe?.write, var chunk = pending {
          let written = chunk.withUnsafeBytes { writeWithoutSIGPIPE(entry.fd, $0) }
          if written > 0 { chunk = chunk.dropFirst(written) }
          if written < 0 && errno != EINTR && errno != EAGAIN { chunk = [][...] }
          if chunk.isEmpty {
            close(entry.fd)
            parentEnds[2] = -1
            pending = nil
          } else {
            pending = chunk
          }
          continue
        }
        let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 {
          open[entry.fd] = false
          continue
        }
        if entry.fd == stdoutPipe.read {
          stdoutBytes.append(contentsOf: buffer[0..<count])
          if stdoutBytes.count > outputLimit {
            limitExceeded = true
            kill(pid, SIGKILL)
            open[stdoutPipe.read] = false
            open[stderrPipe.read] = false
            pending = nil
          }
        } else {
          stderrBytes.append(contentsOf: buffer[0..<count])
        }
      }
    }

    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    if limitExceeded {
      throw ChildProcessError(code: .outputLimitExceeded, executable: executable, errno: 0)
    }
    let exitStatus: Int32
    if status & 0x7f == 0 {
      exitStatus = (status >> 8) & 0xff
    } else {
      exitStatus = 128 + (status & 0x7f)
    }
    return Output(exitStatus: exitStatus, standardOutput: stdoutBytes, standardError: stderrBytes)
  }

  /// The path of `executable`: itself when it contains a `/`, else the first executable file of
  /// that name in the `PATH` of `environment` (or of this process).
  package static func resolve(_ executable: String, environment: [String: String]? = nil) -> String? {
    if executable.contains("/") { return executable }
    let searchPath: String
    if let environment {
      searchPath = environment["PATH"] ?? ""
    } else {
      searchPath = getenv("PATH").map { String(cString: $0) } ?? ""
    }
    for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
      let candidate = directory + "/" + executable
      if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
  }

  /// A pipe whose ends are closed on exec.
  private static func makePipe(_ executable: String) throws(ChildProcessError) -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else {
      throw ChildProcessError(code: .spawnFailed, executable: executable, errno: errno)
    }
    // Close-on-exec, so other spawns (after this one, under the spawn lock) do not inherit them.
    _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
    return (fds[0], fds[1])
  }

  /// Makes a child spawned with `attributes` start with default handling of every signal and
  /// none blocked, and returns the flags to set for that: otherwise it would inherit this
  /// process's ignored signals (SIGPIPE, often) and its spawning thread's mask (Dispatch's
  /// threads, Swift's cooperative pool among them, block SIGTERM).
  ///
  /// ```swift
  /// posix_spawnattr_setflags(&attributes, ChildProcess.startWithDefaultSignals(&attributes) | Int16(POSIX_SPAWN_SETPGROUP))
  /// ```
  package static func startWithDefaultSignals(_ attributes: inout posix_spawnattr_t) -> Int16 {
    var allSignals = sigset_t()
    sigfillset(&allSignals)
    posix_spawnattr_setsigdefault(&attributes, &allSignals)
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    return Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
  }

  /// `write(2)` to the child's standard input, which fails with `EPIPE` instead of raising
  /// `SIGPIPE` when the child has closed it (exited, or stopped reading): that signal would end
  /// this whole process unless it ignores SIGPIPE, and ignoring it process-wide is the app's call,
  /// not ours. The signal a failed write raises is sent to the writing thread, so blocking it on
  /// this thread and taking it back before unblocking leaves every other thread alone.
  private static func writeWithoutSIGPIPE(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    var sigpipe = sigset_t()
    sigemptyset(&sigpipe)
    sigaddset(&sigpipe, SIGPIPE)
    var previousMask = sigset_t()
    pthread_sigmask(SIG_BLOCK, &sigpipe, &previousMask)
    defer { pthread_sigmask(SIG_SETMASK, &previousMask, nil) }
    var pendingBefore = sigset_t()
    sigpending(&pendingBefore)
    let written = write(fd, bytes.baseAddress, bytes.count)
    let writeError = errno
    if written < 0, writeError == EPIPE, sigismember(&pendingBefore, SIGPIPE) == 0 {
      var noWait = timespec(tv_sec: 0, tv_nsec: 0)
      while sigtimedwait(&sigpipe, nil, &noWait) < 0 && errno == EINTR {}
    }
    errno = writeError
    return written
  }

  private static func withCStringArray<R>(
    _ strings: [String],
    _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
  ) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
  }
}

extension String {
  /// The string without leading and trailing white space.
  package func trimmingWhitespace() -> String {
    var scalars = Substring(self)
    while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
    while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
    return String(scalars)
  }
}
