#!/usr/bin/env bash
# Runs every test: checks the hook programs in hooks/ with shellcheck, builds the package and runs
# the Swift test suites against real git, a real Python MLflow 3.17.2 (installed on first use by
# scripts/setup-python.sh) and the real hook managers lefthook and pre-commit (installed, with
# shellcheck, by scripts/install-test-tools.sh).
# Extra arguments go to `swift test` (e.g. `scripts/test.sh --filter GitState`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-deps.sh
MLFLOW_GIT_PYTHON="$(scripts/setup-python.sh)"
MLFLOW_GIT_TEST_TOOLS="$(scripts/install-test-tools.sh)"
export MLFLOW_GIT_PYTHON MLFLOW_GIT_TEST_TOOLS
shellcheck --shell=sh hooks/*
swift build --build-tests
if [ $# -gt 0 ]; then
  swift test --skip-build "$@"
else
  # Three runs, so that no suite checks elapsed time on a starved machine: the suites that time
  # network faults (timeouts, cancellation, retries) run alone, after the others (whose Python
  # and git child processes keep both cores busy, though they no longer hold the test process's
  # threads: see ChildProcess.runAsync and runLimited), and the
  # install.sh suite, whose release build keeps both cores busy for a minute or more, runs last.
  timed='RESTFaultTests|TLSTests'
  swift test --skip-build --skip "InstallScriptTests|$timed"
  swift test --skip-build --filter "$timed"
  swift test --skip-build --filter InstallScriptTests
fi
