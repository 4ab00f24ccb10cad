#!/usr/bin/env bash
# Makes (or reuses) a Python virtual environment with packages from PyPI, for the scripts that
# install what the tests use (setup-python.sh, setup-hook-managers.sh). Idempotent and safe to run
# concurrently: an environment holding exactly these requirements is reused; CHECK, a shell
# command run with the environment's bin/ first on PATH, must pass before it counts as made.
#
#   scripts/pip-venv.sh VENV CHECK REQUIREMENT...
set -euo pipefail
venv=$1
check=$2
shift 2
requirements="$*"
marker="$venv/.mlflow-git-complete"
installed() { [ -f "$marker" ] && [ "$(cat "$marker")" = "$requirements" ]; }
installed && exit 0
command -v python3 >/dev/null || { echo "python3 is missing: apt-get install python3 python3-venv" >&2; exit 1; }
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
installed && exit 0
echo "Installing $requirements into $venv (first time only)..." >&2
[ -x "$venv/bin/pip" ] || { rm -rf "$venv"; python3 -m venv "$venv"; }
"$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
PATH="$venv/bin:$PATH" sh -c "$check"
printf '%s' "$requirements" > "$marker"
