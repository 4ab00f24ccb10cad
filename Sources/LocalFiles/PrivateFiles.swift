#if canImport(Glibc)
package import Glibc
#elseif canImport(Darwin)
package import Darwin
#endif

/// Local state files that only their owner may read: mlflow-git's index, journal and locks may
/// name private repositories and commits, so they are created 0600 in 0700 folders.
///
/// # Usage
/// ```swift
/// try PrivateFiles.createDirectory(gitCommonDir + "/mlflow-git")
/// try PrivateFiles.append(Array("entry\n".utf8), to: gitCommonDir + "/mlflow-git/journal")
/// ```
package enum PrivateFiles {
  /// Creates `path` with mode 0700 (or `mode`, less the umask, for a folder others share, like
  /// a hooks folder), and any missing parents with the same mode unless `creatingParents` is
  /// `false` (then a missing parent fails with ENOENT: a folder inside a repository that was
  /// removed meanwhile is not made anew); an existing folder is kept as is.
  package static func createDirectory(
    _ path: String, creatingParents: Bool = true, mode: mode_t = 0o700
  ) throws(LocalFileError) {
    if mkdir(path, mode) == 0 {
      // A private folder is 0700 exactly, whatever owner bits the umask takes away.
      if mode == 0o700 { chmod(path, mode) }
      return
    }
    if errno == EEXIST { return }
    guard creatingParents, errno == ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
      throw LocalFileError(path: path, operation: "create the folder", errno: errno)
    }
    try createDirectory(String(path[..<slash]), mode: mode)
    try createDirectory(path, creatingParents: false, mode: mode)
  }

  /// Appends `bytes` to `path` in one `write` with `O_APPEND`, creating the file with mode 0600.
  ///
  /// Concurrent appenders never interleave within one call's bytes on a local file system.
  package static func append(_ bytes: [UInt8], to path: String) throws(LocalFileError) {
    let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw LocalFileError(path: path, operation: "open for appending", errno: errno) }
    defer { close(descriptor) }
    try writeAll(bytes, to: descriptor, path: path)
  }

  /// Replaces `path` with `bytes` atomically: written to a temporary file (0600), flushed, then
  /// renamed over it, so readers see the old or the new content, never a part.
  ///
  /// Each call writes a temporary file of its own (named with the process ID and a random
  /// number, created exclusively), so concurrent replacements, from other processes or from
  /// threads of this one, never write into each other's files: the last rename wins whole.
  ///
  /// - Parameters:
  ///   - durable: `false` skips the flush (an `fsync`) for a file that is only an optimisation:
  ///     readers still see the old or the new content, but after a system crash the file may be
  ///     empty or hold zeroes, so its reader must treat such content as absent.
  ///   - mode: The new file's mode, exactly (the umask does not apply), set before it takes the
  ///     place of the old: 0600, or e.g. 0755 for a hook that must never be seen unexecutable.
  package static func replace(
    _ path: String, with bytes: [UInt8], durable: Bool = true, mode: mode_t = 0o600
  ) throws(LocalFileError) {
    let temporary = path + ".tmp-\(getpid())-\(UInt64.random(in: 0 ... .max))"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw LocalFileError(path: temporary, operation: "create", errno: errno) }
    do throws(LocalFileError) {
      if mode != 0o600, fchmod(descriptor, mode) != 0 {
        throw LocalFileError(path: temporary, operation: "set the mode of", errno: errno)
      }
      try writeAll(bytes, to: descriptor, path: temporary)
      guard !durable || fsync(descriptor) == 0 else {
        throw LocalFileError(path: temporary, operation: "flush", errno: errno)
      }
    } catch {
      close(descriptor)
      unlink(temporary)
      throw error
    }
    close(descriptor)
    guard rename(temporary, path) == 0 else {
      let failure = errno
      unlink(temporary)
      throw LocalFileError(path: path, operation: "replace", errno: failure)
    }
  }

  /// Replaces `<folder>/<name>` with `bytes` like ``replace(_:with:durable:mode:)`` without the
  /// flush, creating the 0700 folder `folder` (not its parents) when missing: for a record that
  /// only spares work. Never fails the caller: a record that cannot be written (`false`) only
  /// means the work is done again next time.
  ///
  /// ```swift
  /// PrivateFiles.saveRecord(Array("abc123\n".utf8), named: "checked", in: gitDirectory + "/records")
  /// ```
  @discardableResult
  package static func saveRecord(_ bytes: [UInt8], named name: String, in folder: String) -> Bool {
    do {
      try createDirectory(folder, creatingParents: false)
      try replace(folder + "/" + name, with: bytes, durable: false)
      return true
    } catch {
      return false
    }
  }

  /// The content of `path`, or `nil` when it does not exist.
  package static func read(_ path: String) throws(LocalFileError) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      if errno == ENOENT { return nil }
      throw LocalFileError(path: path, operation: "open", errno: errno)
    }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw LocalFileError(path: path, operation: "read", errno: errno)
      }
      if count == 0 { return bytes }
      bytes.append(contentsOf: chunk[0..<count])
    }
  }

  /// The content of `path`, or `nil` when it is missing or cannot be read: for a file whose
  /// absence and unreadability mean the same to the caller.
  package static func contents(_ path: String) -> [UInt8]? { try? read(path) }

  /// The first `limit` bytes of `path` (all of a shorter file), or `nil` when it is missing or
  /// cannot be read: enough to tell whose file it is without reading the rest.
  package static func head(_ path: String, limit: Int = 512) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var failed = false
    let bytes = [UInt8](unsafeUninitializedCapacity: limit) { buffer, count in
      var total = 0
      while total < limit {
        let read = Glibc.read(descriptor, buffer.baseAddress! + total, limit - total)
        if read < 0 && errno == EINTR { continue }
        if read < 0 { failed = true; break }
        if read == 0 { break }
        total += read
      }
      count = total
    }
    return failed ? nil : bytes
  }

  /// The size of `path` in bytes, or `nil` when it does not exist.
  package static func size(of path: String) -> Int? {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : nil
  }

  /// Writes all of `bytes` to `descriptor` (the open file `path`, named in the error).
  package static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(LocalFileError) {
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
      if written < 0 {
        if errno == EINTR { continue }
        throw LocalFileError(path: path, operation: "write", errno: errno)
      }
      offset += written
    }
  }
}
