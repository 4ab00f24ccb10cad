"""Python MLflow's @mlflow.trace under the load benchmark's load, in one process.

Usage: python python_load.py REPO SECONDS RATE THREADS DRAIN_LIMIT
With Git versioning enabled in REPO and MLFLOW_TRACKING_URI set; export is MLflow 3.17's
default (asynchronous). THREADS threads each trace the benchmark's agent step (root + 2 child
spans) at RATE / THREADS per second on a fixed schedule for SECONDS, then the export queue is
flushed for at most DRAIN_LIMIT seconds (the process then exits, dropping what is left).
Prints JSON {"model_id", "produced", "produce_seconds", "drain_seconds", "drained",
"span_p50", "span_p99", "span_max", "peak_memory", "lag_seconds"}.
"""
import json
import logging
import os
import resource
import sys
import threading
import time

os.chdir(sys.argv[1])
seconds, rate, threads, drain_limit = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
import mlflow

sys.dont_write_bytecode = True  # no __pycache__ in the package's sources
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_step import traced_agent_step  # noqa: E402

logging.getLogger("mlflow").setLevel(logging.ERROR)
model_id = mlflow.genai.enable_git_model_versioning().active_model.model_id


for i in range(50):
    traced_agent_step(f"warm-up {i}")
mlflow.flush_trace_async_logging()

per_thread = int(round(rate * seconds / threads))
interval = threads / rate
durations = [[] for _ in range(threads)]
lags = [0.0] * threads
start = time.perf_counter()


def produce(task):
    offset = interval * task / threads
    for index in range(per_thread):
        if time.perf_counter() - start >= seconds:
            break  # behind its schedule: the time is up
        due = start + offset + index * interval
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        lags[task] = max(lags[task], time.perf_counter() - due)
        begin = time.perf_counter()
        traced_agent_step(f"question {task}-{index}")
        durations[task].append(time.perf_counter() - begin)


workers = [threading.Thread(target=produce, args=(task,)) for task in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
produced = time.perf_counter()
flusher = threading.Thread(target=mlflow.flush_trace_async_logging, daemon=True)
flusher.start()
flusher.join(drain_limit)
drained = time.perf_counter()
spans = sorted(d / 3 for task in durations for d in task)


def percentile(p):
    return spans[min(len(spans) - 1, int(len(spans) * p))] if spans else float("nan")


print(json.dumps({
    "model_id": model_id,
    "produced": len(spans),
    "produce_seconds": produced - start,
    "drain_seconds": drained - produced,
    "drained": not flusher.is_alive(),
    "span_p50": percentile(0.5),
    "span_p99": percentile(0.99),
    "span_max": spans[-1] if spans else float("nan"),
    "peak_memory": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "lag_seconds": max(lags),
}), flush=True)
os._exit(0)
