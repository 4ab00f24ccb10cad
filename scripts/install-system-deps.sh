#!/usr/bin/env bash
# Installs the Debian packages mlflow-git builds and tests with, when they are missing:
# git, the SQLite and curl development files (the embedded store links the system sqlite3; the
# server store's HTTPClient compiles against curl.h and opens libcurl at run time), python3-venv,
# the PostgreSQL server and sqlite3 shell the tests run MLflow against, and chromium (headless,
# for the MLflow UI test).
set -euo pipefail
missing=()
command -v git >/dev/null || missing+=(git)
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
# CCurl's header; libcurl.so too, which a static-stdlib build of the tests (FoundationNetworking) links.
{ [ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/aarch64-linux-gnu/curl/curl.h ] \
  || [ -f /usr/include/curl/curl.h ]; } && { [ -e /usr/lib/x86_64-linux-gnu/libcurl.so ] \
  || [ -e /usr/lib/aarch64-linux-gnu/libcurl.so ]; } || missing+=(libcurl4-openssl-dev)
python3 -c "import ensurepip, venv" 2>/dev/null || missing+=(python3-venv)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing ${missing[*]} with apt-get..." >&2
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
$sudo_cmd apt-get update -q >&2
$sudo_cmd apt-get install -y -q "${missing[@]}" >&2
