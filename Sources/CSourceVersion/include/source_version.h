// The source version of this build, for `mlflow-git --version`.
#ifndef MLFLOW_GIT_SOURCE_VERSION_H
#define MLFLOW_GIT_SOURCE_VERSION_H

/// The version install.sh computed for the sources it built (a hash of Package.swift and
/// Sources), or "" for a build it did not stamp (a plain `swift build`).
const char *mlflow_git_source_version(void);

#endif
