#!/usr/bin/env bash
# Installs the tools only the tests use, and prints the folder that holds lefthook and pre-commit:
# - lefthook 2.2.2 and pre-commit 4.7.0 from PyPI (the hook managers the hooks tests integrate
#   with) into a virtual environment of their own, shared by every clone on this machine;
# - shellcheck from Debian (CI checks the hook programs in hooks/ with it).
# Idempotent and safe to run concurrently: an environment with these requirements is reused.
# Override the location with MLFLOW_GIT_TOOLS_VENV.
set -euo pipefail
requirements="lefthook==2.2.2 pre-commit==4.7.0"
venv="${MLFLOW_GIT_TOOLS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/mlflow-git/venv-hook-managers}"
marker="$venv/.mlflow-git-complete"
installed() { [ -f "$marker" ] && [ "$(cat "$marker")" = "$requirements" ]; }
if ! installed; then
  command -v python3 >/dev/null || { echo "python3 is missing: apt-get install python3 python3-venv" >&2; exit 1; }
  mkdir -p "$(dirname "$venv")"
  exec 9>"$venv.lock"
  flock 9
  if ! installed; then
    echo "Installing $requirements into $venv (first time only)..." >&2
    [ -x "$venv/bin/pip" ] || { rm -rf "$venv"; python3 -m venv "$venv"; }
    # shellcheck disable=SC2086
    "$venv/bin/pip" install --quiet --disable-pip-version-check $requirements >&2
    "$venv/bin/lefthook" version >/dev/null
    "$venv/bin/pre-commit" --version >/dev/null
    printf '%s' "$requirements" > "$marker"
  fi
fi
if ! command -v shellcheck >/dev/null; then
  exec 8>"$(dirname "$venv")/apt.lock"
  flock 8
  if ! command -v shellcheck >/dev/null; then
    echo "Installing shellcheck with apt-get..." >&2
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -q >&2
    $sudo_cmd apt-get install -y -q shellcheck >&2
  fi
fi
echo "$venv/bin"
