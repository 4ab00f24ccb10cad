import LocalFiles

#if canImport(Glibc)
import Glibc
#endif

/// The file operations installing hooks needs beyond ``PrivateFiles`` (which reads files and
/// folders, and replaces files with a given mode, for it too): hook files and the files of the
/// user's it edits keep their usual modes (0755, 0644), and Git's config is replaced through Git's lock.
enum FileOperations {
  static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }

  static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }

  static func isExecutableFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
  }

  static func rename(_ source: String, to destination: String) throws(LocalFileError) {
    if Glibc.rename(source, destination) != 0 {
      throw LocalFileError(path: source, operation: "rename", errno: errno)
    }
  }

  static func remove(_ path: String) throws(LocalFileError) {
    if unlink(path) != 0 && errno != ENOENT {
      throw LocalFileError(path: path, operation: "remove", errno: errno)
    }
  }

  /// Removes an empty folder; a folder that is not empty (or missing) is left alone.
  static func removeEmptyDirectory(_ path: String) {
    rmdir(path)
  }

  /// Replaces `path` with `bytes`, keeping the file's mode (`newFileMode` for a new file).
  static func replacePreservingMode(_ path: String, with bytes: [UInt8], newFileMode: mode_t = 0o644)
    throws(LocalFileError)
  {
    var info = stat()
    let mode = stat(path, &info) == 0 ? info.st_mode & 0o7777 : newFileMode
    try PrivateFiles.replace(path, with: bytes, mode: mode)
  }

  /// Replaces `path` (a Git config file) as git does: the new content goes to `<path>.lock`,
  /// created exclusively, which is then renamed over it. While git holds the lock, this fails.
  static func replaceThroughGitLock(_ path: String, with bytes: [UInt8]) throws(LocalFileError) {
    var info = stat()
    let mode = stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0o644
    let lock = path + ".lock"
    let descriptor = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard descriptor >= 0 else {
      throw LocalFileError(path: lock, operation: "lock (another git command is changing the config; try again)", errno: errno)
    }
    do throws(LocalFileError) {
      try PrivateFiles.writeAll(bytes, to: descriptor, path: lock)
    } catch {
      close(descriptor)
      unlink(lock)
      throw error
    }
    close(descriptor)
    guard Glibc.rename(lock, path) == 0 else {
      let failure = errno
      unlink(lock)
      throw LocalFileError(path: path, operation: "replace", errno: failure)
    }
  }
}
