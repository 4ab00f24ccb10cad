#!/usr/bin/env bash
# Installs the hook managers the hook tests and HooksBenchmark integrate with, lefthook 2.2.2 and
# pre-commit 4.7.0 from PyPI, into a virtual environment shared by every clone on this machine,
# and prints the folder that holds them. Idempotent and safe to run concurrently: an environment
# with these requirements is reused. Override the location with MLFLOW_GIT_TOOLS_VENV.
set -euo pipefail
venv="${MLFLOW_GIT_TOOLS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/mlflow-git/venv-hook-managers}"
"$(dirname "$0")/pip-venv.sh" "$venv" "lefthook version >/dev/null && pre-commit --version >/dev/null" \
  lefthook==2.2.2 pre-commit==4.7.0
echo "$venv/bin"
