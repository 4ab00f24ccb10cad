#!/usr/bin/env bash
# Installs the Debian packages mlflow-git is built with, when they are missing: git, and the SQLite
# and curl development files (the embedded store links the system sqlite3; the server store's
# HTTPClient compiles against curl.h and opens libcurl at run time). With --with-mlflow, also
# python3-venv, for the virtual environment scripts/setup-python.sh installs MLflow into. The
# Swift toolchain must be there already (https://www.swift.org/install). What only the tests
# need is installed by scripts/install-test-tools.sh.
#
#   scripts/install-system-deps.sh [--with-mlflow] [--list]
#
# --list prints the packages it would install on a machine that has none of them, and installs
# nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
packages=(git libsqlite3-dev libcurl4-openssl-dev)
list=0
for argument in "$@"; do
  case $argument in
    --with-mlflow) packages+=(python3-venv) ;;
    --list) list=1 ;;
    *) echo "install-system-deps.sh: unknown option $argument" >&2; exit 2 ;;
  esac
done
if [ "$list" = 1 ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

# Whether package $1 is there already.
installed() {
  case $1 in
    git) command -v git >/dev/null ;;
    libsqlite3-dev) [ -f /usr/include/sqlite3.h ] ;;
    # CCurl's header; libcurl.so too, which a static-stdlib build of the tests (FoundationNetworking) links.
    libcurl4-openssl-dev)
      { [ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/aarch64-linux-gnu/curl/curl.h ] \
        || [ -f /usr/include/curl/curl.h ]; } \
        && { [ -e /usr/lib/x86_64-linux-gnu/libcurl.so ] || [ -e /usr/lib/aarch64-linux-gnu/libcurl.so ]; } ;;
    python3-venv) python3 -c "import ensurepip, venv" 2>/dev/null ;;
  esac
}

command -v swift >/dev/null || {
  echo "install-system-deps.sh: the Swift toolchain is missing: install it (https://www.swift.org/install) and put swift on PATH" >&2
  exit 1
}
missing=()
for package in "${packages[@]}"; do installed "$package" || missing+=("$package"); done
"$here/apt-install.sh" "${missing[@]}"
