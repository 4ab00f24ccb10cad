#!/usr/bin/env bash
# Runs every test: checks the hook programs in hooks/ with shellcheck, builds the package and runs
# the Swift test suites against real git, a real Python MLflow 3.17.2 (installed on first use by
# scripts/setup-python.sh) and the real hook managers lefthook and pre-commit (installed, with
# shellcheck and the tests' Debian packages, by scripts/install-test-tools.sh).
# Extra arguments go to `swift test` (e.g. `scripts/test.sh --filter GitState`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-deps.sh
scripts/install-test-tools.sh
MLFLOW_GIT_PYTHON="$(scripts/setup-python.sh)"
MLFLOW_GIT_TEST_TOOLS="$(scripts/setup-hook-managers.sh)"
export MLFLOW_GIT_PYTHON MLFLOW_GIT_TEST_TOOLS
shellcheck --shell=sh hooks/*
swift build --build-tests
# Tests leave nothing behind: they run with a temporary directory of their own, and each test
# process fails when it leaves anything there (see Tests/TestSupport/TemporaryLeftovers.swift).
test_tmp="$(mktemp -d "${TMPDIR:-/tmp}/mlflow-git-test-run.XXXXXX")"
trap 'rm -rf "$test_tmp"' EXIT
# Others may pass through but not list it: as root, the tests' PostgreSQL runs as `postgres`.
chmod 711 "$test_tmp"
export TMPDIR="$test_tmp" MLFLOW_GIT_CHECK_TEMPORARY_DIRECTORY=1
if [ $# -gt 0 ]; then
  swift test --skip-build "$@"
else
  # Four runs, so that no suite checks elapsed time on a starved machine: the suites tagged
  # timingSensitive (they time network faults: timeouts, cancellation, retries) run alone, after
  # the others (whose Python and git child processes keep both cores busy, though they no longer
  # hold the test process's threads: see ChildProcess.runAsync and runLimited), then the suites
  # tagged releaseBuild (install.sh's release builds keep both cores busy for a minute or more),
  # and last the chaos test (tagged chaos: four worktrees, killed workers and store outages for
  # a few minutes, which would starve any suite beside it). Tags: Tests/TestSupport/TestTags.swift; scripts/tagged-tests.sh turns one into a
  # --filter expression, since `swift test` here cannot select by tag.
  timing_sensitive=$(scripts/tagged-tests.sh timingSensitive)
  release_build=$(scripts/tagged-tests.sh releaseBuild)
  chaos=$(scripts/tagged-tests.sh chaos)
  swift test --skip-build --skip "$timing_sensitive|$release_build|$chaos"
  swift test --skip-build --filter "$timing_sensitive"
  swift test --skip-build --filter "$release_build"
  swift test --skip-build --filter "$chaos"
fi
