import LocalFiles

#if canImport(Glibc)
import Glibc
#endif

// The file operations installing hooks needs: unlike mlflow-git's private state, hook files
// and `info/exclude` keep git's usual modes (0755, 0644).

func exists(_ path: String) -> Bool {
  var info = stat()
  return lstat(path, &info) == 0
}

func isDirectory(_ path: String) -> Bool {
  var info = stat()
  return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

func createDirectory(_ path: String, mode: mode_t) throws(LocalFileError) {
  if mkdir(path, mode) != 0 && errno != EEXIST {
    throw LocalFileError(path: path, operation: "create the folder", errno: errno)
  }
}

/// Creates `path` and its missing parents.
func createDirectories(_ path: String, mode: mode_t) throws(LocalFileError) {
  if isDirectory(path) { return }
  if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
    try createDirectories(String(path[..<slash]), mode: mode)
  }
  try createDirectory(path, mode: mode)
}

func rename(_ source: String, to destination: String) throws(LocalFileError) {
  if Glibc.rename(source, destination) != 0 {
    throw LocalFileError(path: source, operation: "rename", errno: errno)
  }
}

func remove(_ path: String) throws(LocalFileError) {
  if unlink(path) != 0 && errno != ENOENT {
    throw LocalFileError(path: path, operation: "remove", errno: errno)
  }
}

/// Writes `bytes` to `path` (replacing it atomically) as an executable hook, mode 0755.
func writeExecutable(_ bytes: [UInt8], to path: String) throws(LocalFileError) {
  try replace(path, with: bytes, mode: 0o755)
}

/// Replaces `path` with `bytes`, keeping the file's mode (0644 for a new file).
func replacePreservingMode(_ path: String, with bytes: [UInt8]) throws(LocalFileError) {
  var info = stat()
  let mode = stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0o644
  try replace(path, with: bytes, mode: mode)
}

private func replace(_ path: String, with bytes: [UInt8], mode: mode_t) throws(LocalFileError) {
  try PrivateFiles.replace(path, with: bytes)
  if chmod(path, mode) != 0 { throw LocalFileError(path: path, operation: "set the mode of", errno: errno) }
}
