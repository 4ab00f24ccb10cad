#!/usr/bin/env bash
# Installs the Python MLflow the tests and benchmarks compare against (mlflow 3.17.2 from PyPI,
# with its basic-auth extra, psycopg2 for `mlflow server` on PostgreSQL, and openai 2.47.0 for its
# OpenAI autolog, the newest version MLflow 3.17.2 supports) into a virtual
# environment shared by every clone on this machine, and prints its python path.
# Idempotent and safe to run concurrently: an environment with these requirements is reused
# (first install: about 2 minutes, 850 MB). Override the location with MLFLOW_GIT_VENV.
set -euo pipefail
version="${MLFLOW_GIT_MLFLOW_VERSION:-3.17.2}"
venv="${MLFLOW_GIT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/mlflow-git/venv-mlflow-$version}"
"$(dirname "$0")/pip-venv.sh" "$venv" "python -c \"import mlflow, sys; sys.exit(mlflow.__version__ != '$version')\"" \
  "mlflow[auth]==$version" psycopg2-binary openai==2.47.0
echo "$venv/bin/python"
