import ChildProcess

#if canImport(Glibc)
import Glibc
#endif

/// The Python with MLflow 3.17.2 that benchmarks compare against: `$MLFLOW_GIT_PYTHON`, else
/// what `scripts/setup-python.sh` (run from the package root) installs or finds.
public func referencePython() -> String {
  if let python = getenv("MLFLOW_GIT_PYTHON").map({ String(cString: $0) }), !python.isEmpty { return python }
  return setupShell("scripts/setup-python.sh").trimmingWhitespace()
}

/// The package root: benchmarks run from it (`swift run` does).
public func packageRoot() -> String {
  guard let cwd = getcwd(nil, 0) else { return "." }
  defer { free(cwd) }
  return String(cString: cwd)
}

