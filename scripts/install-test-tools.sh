#!/usr/bin/env bash
# Installs what only the tests need, when it is missing: the Debian packages python3-venv (the
# tests' Python MLflow, scripts/setup-python.sh, and the hook managers), the sqlite3 shell and the
# PostgreSQL server the tests run MLflow against, chromium (headless, for the MLflow UI test),
# the `shellcheck` that checks hooks/, and strace (which shows the tests the hook's writes to its
# journal); then the hook managers lefthook and pre-commit from
# PyPI (scripts/setup-hook-managers.sh). scripts/test.sh runs it after scripts/install-system-deps.sh;
# install.sh never does.
#
#   scripts/install-test-tools.sh [--list]
#
# --list prints the Debian packages it would install on a machine that has none of them, and
# installs nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
packages=(python3-venv sqlite3 postgresql chromium shellcheck strace)
case ${1:-} in
  --list) printf '%s\n' "${packages[@]}"; exit 0 ;;
  "") ;;
  *) echo "install-test-tools.sh: unknown option $1" >&2; exit 2 ;;
esac

# Whether package $1 is there already.
installed() {
  case $1 in
    python3-venv) python3 -c "import ensurepip, venv" 2>/dev/null ;;
    sqlite3) command -v sqlite3 >/dev/null ;;
    postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ;;
    chromium) command -v chromium >/dev/null ;;
    shellcheck) command -v shellcheck >/dev/null ;;
    strace) command -v strace >/dev/null ;;
  esac
}

missing=()
for package in "${packages[@]}"; do installed "$package" || missing+=("$package"); done
"$here/apt-install.sh" "${missing[@]}"
"$here/setup-hook-managers.sh" >/dev/null
