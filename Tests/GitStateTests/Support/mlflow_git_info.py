"""Prints what MLflow's own git versioning reads for a directory, as JSON.

Usage: python mlflow_git_info.py DIRECTORY [REMOTE_NAME]
Runs mlflow.genai.git_versioning.git_info.GitInfo.from_env exactly as
enable_git_model_versioning() does; the diff is returned base64-encoded so its bytes
(including non-UTF-8 ones, kept by GitPython's surrogateescape decoding) compare exactly.
"""
import base64
import json
import os
import sys

os.chdir(sys.argv[1])
remote = sys.argv[2] if len(sys.argv) > 2 else "origin"

from mlflow.genai.git_versioning.git_info import GitInfo, GitOperationError

try:
    info = GitInfo.from_env(remote)
except GitOperationError as error:
    print(json.dumps({"error": str(error)}))
    sys.exit(0)
except Exception as error:  # MLflow lets some errors escape (an unborn branch raises ValueError)
    print(json.dumps({"error": f"{type(error).__name__}: {error}", "uncaught": True}))
    sys.exit(0)

diff = None
if info.diff is not None:
    diff = base64.b64encode(info.diff.encode("utf-8", "surrogateescape")).decode("ascii")
print(json.dumps({
    "branch": info.branch,
    "commit": info.commit,
    "dirty": info.dirty,
    "repo_url": info.repo_url,
    "diff_base64": diff,
}))
