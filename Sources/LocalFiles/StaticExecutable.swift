import CFileSpace

/// Whether this process is a static executable, one with no dynamic loader.
///
/// Such a process must not load a shared library such as libcurl: glibc gives a library loaded
/// into a static executable a C library of its own, whose thread-specific keys and other state
/// collide with the program's (measured here: the first `pthread_key_create` of a loaded library
/// returns the key the program already uses). `mlflow-git` as install.sh builds it is a static
/// executable that hands commands needing HTTP to a dynamically linked companion.
///
/// # Usage
/// ```swift
/// if StaticExecutable.isCurrentProcess { print("HTTP needs a dynamically linked program") }
/// ```
package enum StaticExecutable {
  /// `true` when the kernel started this process without a program interpreter
  /// (`getauxval(AT_BASE)` is 0).
  package static let isCurrentProcess: Bool = mlflow_git_process_is_static() == 1
}
