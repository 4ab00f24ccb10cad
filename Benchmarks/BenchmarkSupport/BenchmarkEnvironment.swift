#if canImport(Glibc)
import Glibc
#endif

/// The environment the benchmarks run git, MLflow and mlflow-git with: `PATH`, `HOME` and
/// `LANG` of this process, MLflow's telemetry off, mlflow-git's warnings off, and `mlflow`
/// (for creating `mlflow.db`) at `mlflowExecutable`.
public func benchmarkEnvironment(mlflowExecutable: String) -> [String: String] {
  var environment: [String: String] = [:]
  for name in ["PATH", "HOME", "LANG"] { environment[name] = getenv(name).map { String(cString: $0) } }
  environment["MLFLOW_DISABLE_TELEMETRY"] = "true"
  environment["DO_NOT_TRACK"] = "true"
  environment["MLFLOW_GIT_QUIET"] = "1"
  environment["MLFLOW_GIT_MLFLOW_EXECUTABLE"] = mlflowExecutable
  return environment
}
