#!/usr/bin/env bash
# Installs Debian packages with apt-get (through sudo when not root), after refreshing the package
# lists: scripts/install-system-deps.sh and scripts/install-test-tools.sh install what is missing
# with it.
#
#   scripts/apt-install.sh PACKAGE...
set -euo pipefail
[ $# -gt 0 ] || exit 0
echo "Installing $* with apt-get..." >&2
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
$sudo_cmd apt-get update -q >&2
$sudo_cmd apt-get install -y -q "$@" >&2
