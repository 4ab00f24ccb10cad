#!/usr/bin/env bash
# mlflow-git installer: builds mlflow-git once per machine and source version (a static executable,
# and mlflow-git-http, its dynamically linked companion for tracking servers), and installs its
# hooks into a Git repository, ready on MLflow's embedded default store (sqlite:///mlflow.db at
# the top of the repository).
#
#   ./install.sh [--with-mlflow] [REPO]     install (REPO defaults to the current directory)
#   ./install.sh --uninstall [REPO]         remove the hooks, restoring what was there
#
# --with-mlflow also installs Python MLflow 3.17.2 (a private virtual environment, ~2 min) so the
# hooks can create mlflow.db and `mlflow ui` can show the versions. Without it, an `mlflow` on
# PATH is used; with none, versions wait in the repository's journal until a store exists.
# Environment: MLFLOW_GIT_HOME (default ~/.local/share/mlflow-git) holds the binaries.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
home=${MLFLOW_GIT_HOME:-$HOME/.local/share/mlflow-git}
action=install
with_mlflow=0
repo=
for argument in "$@"; do
  case $argument in
    --uninstall) action=uninstall ;;
    --with-mlflow) with_mlflow=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "install.sh: unknown option $argument (see --help)" >&2; exit 2 ;;
    *) [ -z "$repo" ] || { echo "install.sh: one repository at a time" >&2; exit 2; }; repo=$argument ;;
  esac
done
repo=${repo:-$PWD}

if [ "$action" = uninstall ]; then
  if [ -x "$home/bin/mlflow-git" ]; then
    exec "$home/bin/mlflow-git" uninstall "$repo"
  fi
  echo "install.sh: mlflow-git is not installed in $home" >&2
  exit 1
fi

git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || { echo "install.sh: '$repo' is not a Git repository" >&2; exit 1; }

# What the build needs (git, the SQLite and curl development files; python3-venv with
# --with-mlflow); nothing the tests alone need.
if [ "$with_mlflow" = 1 ]; then "$here/scripts/install-system-deps.sh" --with-mlflow; else "$here/scripts/install-system-deps.sh"; fi
# One build per machine and source version, shared by every repository; `mlflow-git --version`
# prints this version (Package.swift gives MLFLOW_GIT_SOURCE_VERSION to the CSourceVersion target).
# The hook programs of hooks/ are compiled in (the EmbedHooks plugin), so they count too.
version=$(cd "$here" && { cat Package.swift; find Sources Plugins hooks -type f \( -name '*.swift' -o -name '*.c' -o -name '*.h' -o -name '*.modulemap' -o -path 'hooks/*' \) | LC_ALL=C sort | xargs cat; } | sha256sum | cut -c1-16)
binary="$home/$version/mlflow-git"
if [ ! -x "$binary" ]; then
  echo "Building mlflow-git (release, first time on this machine: about 2 minutes)..."
  mkdir -p "$home/$version"
  # SwiftPM leaves TemporaryDirectory.* folders in the temporary directory: it gets one of its own.
  build_tmp=$(mktemp -d)
  trap 'rm -rf "$build_tmp"' EXIT
  # Two builds of the same source: mlflow-git-http, dynamically linked, loads libcurl for tracking
  # servers; mlflow-git, a static executable, starts about a millisecond sooner and hands commands
  # that need HTTP to mlflow-git-http (a static executable cannot load libcurl safely).
  export MLFLOW_GIT_SOURCE_VERSION=$version
  (cd "$here" && TMPDIR="$build_tmp" swift build -c release --static-swift-stdlib --product mlflow-git --scratch-path "$home/build" 2>&1 | grep -E "error|warning: unre|Compiling|Build" | tail -3)
  cp "$home/build/release/mlflow-git" "$home/$version/mlflow-git-http"
  if (cd "$here" && TMPDIR="$build_tmp" swift build -c release -Xswiftc -static-executable --product mlflow-git --scratch-path "$home/build-static" > "$home/build-static.log" 2>&1); then
    cp "$home/build-static/release/mlflow-git" "$binary.partial"
  else
    echo "install.sh: the static build failed (see $home/build-static.log); using the dynamic one, which starts about 1 ms later" >&2
    cp "$home/build/release/mlflow-git" "$binary.partial"
  fi
  mv "$binary.partial" "$binary"
fi
mkdir -p "$home/bin"
ln -sfn "$binary" "$home/bin/mlflow-git"

install_options=()
if [ "$with_mlflow" = 1 ]; then
  python=$("$here/scripts/setup-python.sh")
  install_options=(--mlflow-executable "$(dirname "$python")/mlflow")
  echo "MLflow 3.17.2 ready: $(dirname "$python")/mlflow"
fi

"$home/bin/mlflow-git" install "${install_options[@]}" "$repo"
case ":$PATH:" in
  *":$home/bin:"*) ;;
  *) echo "add mlflow-git to your PATH:  export PATH=\"$home/bin:\$PATH\"" ;;
esac
