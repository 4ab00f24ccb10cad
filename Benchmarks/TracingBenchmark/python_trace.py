"""Times Python MLflow's @mlflow.trace on the benchmark's agent step, in one warm process.

Usage: python python_trace.py REPO TRACES WARMUP
With Git versioning enabled in REPO and MLFLOW_TRACKING_URI=sqlite:///<db>; the export mode is
MLFLOW_ENABLE_ASYNC_TRACE_LOGGING's (true is MLflow 3.17's default). After WARMUP traced calls
and a flush, it times TRACES untraced calls, then TRACES traced calls (the caller's path), then
flush_trace_async_logging() (until every trace is exported), and counts the traces linked to the
active model in the database. Prints JSON {"model_id", "untraced_seconds", "traced_seconds",
"exported_seconds", "linked_before", "linked_after", "spans_before", "spans_after"}.
"""
import json
import logging
import os
import sqlite3
import sys
import time

os.chdir(sys.argv[1])
traces = int(sys.argv[2])
warmup = int(sys.argv[3])
import mlflow

sys.dont_write_bytecode = True  # no __pycache__ in the package's sources
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_step import agent_step, traced_agent_step  # noqa: E402

logging.getLogger("mlflow").setLevel(logging.ERROR)
model_id = mlflow.genai.enable_git_model_versioning().active_model.model_id
database = os.environ["MLFLOW_TRACKING_URI"].removeprefix("sqlite:///")


def linked(table_join):
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute(
            "SELECT count(*) FROM " + table_join
            + " WHERE m.key = 'mlflow.modelId' AND m.value = ?", (model_id,)
        ).fetchone()[0]


def linked_traces():
    return linked("trace_info t JOIN trace_request_metadata m ON m.request_id = t.request_id")


def linked_spans():
    return linked("spans s JOIN trace_request_metadata m ON m.request_id = s.trace_id")


for i in range(warmup):
    traced_agent_step(f"warm-up {i}")
mlflow.flush_trace_async_logging()

before = linked_traces()
spans_before = linked_spans()
checksum = 0
start = time.perf_counter()
for i in range(traces):
    checksum += len(agent_step(f"question {i}"))
untraced = time.perf_counter() - start

start = time.perf_counter()
for i in range(traces):
    checksum += len(traced_agent_step(f"question {i}"))
traced = time.perf_counter() - start
mlflow.flush_trace_async_logging()
exported = time.perf_counter() - start

print(json.dumps({
    "model_id": model_id,
    "untraced_seconds": untraced,
    "traced_seconds": traced,
    "exported_seconds": exported,
    "linked_before": before,
    "linked_after": linked_traces(),
    "spans_before": spans_before,
    "spans_after": linked_spans(),
    "checksum": checksum,
}))
