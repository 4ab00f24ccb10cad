#if canImport(Glibc)
import Glibc
#endif

/// Login names from the local password file, read without NSS.
///
/// `getpwuid` goes through NSS, which loads shared modules (`libnss_systemd`, `libnss_ldap` …)
/// for users the file does not list; a static executable must not load shared libraries (see
/// `StaticExecutable`), so it looks users up here, as NSS's `files` service would.
enum LocalUsers {
  /// The name of the first entry with user ID `uid` in `passwdFile`, or `nil`.
  static func name(of uid: uid_t, passwdFile: String = "/etc/passwd") -> String? {
    guard let file = fopen(passwdFile, "re") else { return nil }
    defer { fclose(file) }
    while let entry = fgetpwent(file) {
      if entry.pointee.pw_uid == uid, let name = entry.pointee.pw_name { return String(cString: name) }
    }
    return nil
  }
}
