#!/usr/bin/env bash
# Installs the Debian packages mlflow-git builds and tests with, when they are missing:
# git, the SQLite headers (the embedded store links the system sqlite3), python3-venv.
set -euo pipefail
missing=()
command -v git >/dev/null || missing+=(git)
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
python3 -c "import ensurepip, venv" 2>/dev/null || missing+=(python3-venv)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing ${missing[*]} with apt-get..." >&2
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
$sudo_cmd apt-get update -q >&2
$sudo_cmd apt-get install -y -q "${missing[@]}" >&2
