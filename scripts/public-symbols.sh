#!/usr/bin/env bash
# Prints how many public (and open) symbols each module declares, as `swift package
# dump-symbol-graph` sees them (extension symbol files `Module@Other` count for Module): the size
# of the API an app sees. The library products should keep public only what an app calls or names;
# the other modules should print 0.
#
#   scripts/public-symbols.sh
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift package dump-symbol-graph --minimum-access-level public >"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
folder=$(grep -o '/[^ ]*symbolgraph' "$log" | tail -1)
python3 - "$folder" <<'PYTHON'
import collections, json, os, sys

folder = sys.argv[1]
counts = collections.Counter()
for name in os.listdir(folder):
    if name.endswith(".symbols.json"):
        module = name[: -len(".symbols.json")].split("@")[0]
        with open(os.path.join(folder, name), encoding="utf-8") as file:
            symbols = json.load(file)["symbols"]
        counts[module] += sum(1 for symbol in symbols if symbol.get("accessLevel") in ("public", "open"))
products = ["GitState", "MLflowStore", "MLflowServerStore", "GitVersioning", "MLflowTracing", "OpenAIChat"]
others = ["VersionRegistration", "VersionComparison", "LocalFiles", "GitHooks", "ChildProcess", "HTTPClient"]
print("library products")
for module in products:
    print(f"  {module:<22}{counts.get(module, 0):>5}")
print("other modules (package API; VersionRegistration's public types are re-exported by GitVersioning)")
for module in others:
    print(f"  {module:<22}{counts.get(module, 0):>5}")
PYTHON
