"""The Python path to what `mlflow-git compare` shows about two versions' traces: their figures
computed from `mlflow.search_traces(model_id=…)` (without spans: the trace name tag gives the root
span) and the traces' assessments, the fastest way Python MLflow 3.17.2 offers.

    python python_compare.py MODEL_ID…     (MLFLOW_TRACKING_URI picks the store)

Prints one JSON object: seconds (after `import mlflow`) and, per model ID, the figures.
"""

import json
import sys
import time

import mlflow
import numpy
from mlflow.entities import Feedback
from mlflow.store.tracking.utils.trace_analytics import assessment_aggregate

started = time.perf_counter()


def figures(traces):
    durations = [t.info.execution_duration for t in traces if t.info.execution_duration is not None]
    usage = [t.info.token_usage or {} for t in traces]
    costs = [json.loads(t.info.trace_metadata.get("mlflow.trace.cost") or "{}") for t in traces]
    totals = [u["total_tokens"] for u in usage if u.get("total_tokens") is not None]
    cost = [c["total_cost"] for c in costs if c.get("total_cost") is not None]
    errors = sum(1 for t in traces if getattr(t.info.state, "value", t.info.state) == "ERROR")
    return {
        "traces": len(traces),
        "errors": errors,
        "p50": float(numpy.percentile(durations, 50)) if durations else None,
        "p95": float(numpy.percentile(durations, 95)) if durations else None,
        "max": max(durations) if durations else None,
        "totalTokensPerTrace": sum(totals) / len(totals) if totals else None,
        "costPerTrace": sum(cost) / len(cost) if cost else None,
    }


result = {}
for model_id in sys.argv[1:]:
    traces = mlflow.search_traces(model_id=model_id, include_spans=False, return_type="list")
    by_root = {}
    values = {}
    for trace in traces:
        by_root.setdefault(trace.info.tags.get("mlflow.traceName", ""), []).append(trace)
        for assessment in trace.info.assessments:
            if isinstance(assessment, Feedback) and assessment.valid is not False:
                number, _ = assessment_aggregate(assessment.value)
                if number is not None:
                    values.setdefault(assessment.name, []).append(number)
    result[model_id] = dict(
        figures(traces),
        rootSpans={name: figures(group) for name, group in by_root.items()},
        assessments={name: sum(v) / len(v) for name, v in values.items()},
    )
print(json.dumps({"seconds": time.perf_counter() - started, "figures": result}))
