import Foundation

/// Executables this package builds, found next to the running test bundle.
package enum BuiltProducts {
  /// The path of the built executable `name` (e.g. `mlflow-git`).
  package static func executable(named name: String) -> String {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while directory.path != "/" {
      let candidate = directory.appendingPathComponent(name).path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      directory.deleteLastPathComponent()
    }
    return name
  }
}
