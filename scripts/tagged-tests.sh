#!/usr/bin/env bash
# Prints a regular expression for `swift test --filter` / `--skip` that matches the suites and
# tests tagged TAG (Swift Testing's `.tags(.TAG)`; the tags are in Tests/TestSupport/TestTags.swift),
# as the built test bundle lists them. Fails, printing nothing, when no test has the tag.
#
#   scripts/tagged-tests.sh TAG        (after `swift build --build-tests`)
#
# `swift test` of Swift 6.3 cannot select tests by tag (swift-testing's `--filter tag:NAME` came
# later), so this asks the bundle: its event stream lists each test with its tags, in the field
# `_tags` that SWT_EXPERIMENTAL_EVENT_STREAM_FIELDS_ENABLED turns on.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: scripts/tagged-tests.sh TAG" >&2; exit 2; }
cd "$(dirname "$0")/.."
bundle="$(swift build --show-bin-path)/mlflow-gitPackageTests.xctest"
listing=$(mktemp)
trap 'rm -f "$listing"' EXIT
SWT_EXPERIMENTAL_EVENT_STREAM_FIELDS_ENABLED=1 "$bundle" --testing-library swift-testing --list-tests \
  --event-stream-output-path "$listing" --event-stream-version 0 >/dev/null
python3 - "$listing" ".$1" <<'PYTHON'
import json, re, sys

listing, tag = sys.argv[1], sys.argv[2]
patterns = []
for line in open(listing, encoding="utf-8"):
    record = json.loads(line)
    test = record.get("payload", {})
    if record.get("kind") == "test" and tag in test.get("_tags", []):
        # A function's ID ends with its source location, which --filter does not match.
        test_id = re.sub(r"/[^/]*:\d+:\d+$", "", test["id"])
        patterns.append(re.escape(test_id) + "(/|$)")
if not patterns:
    sys.exit(f"tagged-tests.sh: no test is tagged {tag}")
print("|".join(patterns))
PYTHON
