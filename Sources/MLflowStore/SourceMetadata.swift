import LocalFiles

#if canImport(Glibc)
import Glibc
#endif

/// Who and what logged an entity, as MLflow records it in the `mlflow.user` and
/// `mlflow.source.name` tags of models and the metadata of traces.
///
/// # Usage
/// ```swift
/// let tags = ["mlflow.source.name": SourceMetadata.programName(), "mlflow.user": SourceMetadata.userName(environment) ?? ""]
/// ```
package enum SourceMetadata {
  /// The program's file name, as Python records `sys.argv[0]` in `mlflow.source.name`.
  package static func programName() -> String {
    let path = CommandLine.arguments.first ?? "mlflow-git"
    return path.split(separator: "/").last.map(String.init) ?? path
  }

  /// Who runs the program, as MLflow records it in `mlflow.user`: `MLFLOW_TRACKING_USERNAME`,
  /// else the login name, found as Python's `getpass.getuser()` finds it.
  package static func userName(_ environment: [String: String]) -> String? {
    if let user = environment["MLFLOW_TRACKING_USERNAME"], !user.isEmpty { return user }
    for variable in ["LOGNAME", "USER", "LNAME", "USERNAME"] {
      if let user = environment[variable], !user.isEmpty { return user }
    }
    if StaticExecutable.isCurrentProcess {
      // getpwuid would load NSS modules (`systemd`, `ldap` …), which a static executable must not.
      return LocalUsers.name(of: geteuid())
    }
    guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
    return String(cString: name)
  }
}
