#include "source_version.h"

// install.sh builds with -Xcc -DMLFLOW_GIT_SOURCE_VERSION='"<version>"', the same version it names
// the build's folder after; the build system recompiles this file when that flag changes.
#ifndef MLFLOW_GIT_SOURCE_VERSION
#define MLFLOW_GIT_SOURCE_VERSION ""
#endif

const char *mlflow_git_source_version(void) { return MLFLOW_GIT_SOURCE_VERSION; }
