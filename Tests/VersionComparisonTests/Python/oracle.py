"""The figures `mlflow-git compare --json` prints under `behaviour.a` and `behaviour.b`,
computed from Python MLflow's own view of the traces: `mlflow.search_traces(model_id=…)` (with
spans) and each trace's assessments. Prints one JSON object {model_id: figures}.

    python oracle.py SINCE_MS|- UNTIL_MS|- MODEL_ID…     (MLFLOW_TRACKING_URI picks the store)

Definitions (the same as compare's): an error is a trace in state ERROR; latency is the trace's
execution duration, percentiles by numpy's default linear interpolation; tokens and cost are
the trace's token usage and cost, summed over the traces that recorded each; a trace's root span
is its span without a parent; an assessment counts when it is valid feedback whose value MLflow
aggregates to a number (its own `assessment_aggregate`).
"""

import json
import sys

import mlflow
import numpy
from mlflow.entities import Feedback
from mlflow.store.tracking.utils.trace_analytics import assessment_aggregate


def summary(values):
    return {"count": len(values), "sum": sum(values), "mean": sum(values) / len(values) if values else None}


def usage(records, suffix):
    return {
        kind: summary([record[f"{kind}_{suffix}"] for record in records if record.get(f"{kind}_{suffix}") is not None])
        for kind in ("input", "output", "total")
    }


def group(traces):
    durations = [t.info.execution_duration for t in traces if t.info.execution_duration is not None]
    errors = sum(1 for t in traces if getattr(t.info.state, "value", t.info.state) == "ERROR")
    costs = [json.loads(t.info.trace_metadata.get("mlflow.trace.cost") or "{}") for t in traces]
    return {
        "traces": len(traces),
        "errors": errors,
        "errorRate": errors / len(traces) if traces else None,
        "latencyMs": {
            "count": len(durations),
            "p50": float(numpy.percentile(durations, 50)) if durations else None,
            "p95": float(numpy.percentile(durations, 95)) if durations else None,
            "max": max(durations) if durations else None,
        },
        "tokens": usage([t.info.token_usage or {} for t in traces], "tokens"),
        "cost": usage(costs, "cost"),
    }


def root_span_name(trace):
    return next(span.name for span in trace.data.spans if span.parent_id is None)


since, until = (None if arg == "-" else int(arg) for arg in sys.argv[1:3])
figures = {}
for model_id in sys.argv[3:]:
    traces = [
        t
        for t in mlflow.search_traces(model_id=model_id, return_type="list")
        if (since is None or t.info.request_time >= since) and (until is None or t.info.request_time < until)
    ]
    values = {}
    for trace in traces:
        for assessment in trace.info.assessments:
            if isinstance(assessment, Feedback) and assessment.valid is not False:
                number, _ = assessment_aggregate(assessment.value)
                if number is not None:
                    values.setdefault(assessment.name, []).append(number)
    by_root = {}
    for trace in traces:
        by_root.setdefault(root_span_name(trace), []).append(trace)
    figures[model_id] = dict(
        group(traces),
        assessments={name: {"count": len(v), "mean": sum(v) / len(v)} for name, v in values.items()},
        rootSpans={name: group(members) for name, members in by_root.items()},
    )
print(json.dumps(figures))
