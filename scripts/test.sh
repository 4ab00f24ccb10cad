#!/usr/bin/env bash
# Runs every test: builds the package and runs the Swift test suites against real git and a
# real Python MLflow 3.17.2 (installed on first use by scripts/setup-python.sh).
# Extra arguments go to `swift test` (e.g. `scripts/test.sh --filter GitState`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-deps.sh
MLFLOW_GIT_PYTHON="$(scripts/setup-python.sh)"
export MLFLOW_GIT_PYTHON
swift build --build-tests
swift test --skip-build "$@"
