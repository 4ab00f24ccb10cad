"""Runs a list of Python MLflow operations in one process and prints their results as JSON.

The Swift tests use real MLflow 3.17.2 as the oracle: they write with the Swift store and read
here (and the other way round). Input on stdin: {"operations": [{"op": "...", ...}, ...]}.
Output on stdout: {"results": [...]} with one entry per operation; an operation that raises
gives {"error": "<exception type>: <message>"} so the test can assert on it.
The tracking URI comes from MLFLOW_TRACKING_URI (set by the test).
"""

import json
import os
import sys

# The ID of the model the last create_logged_model operation made, for make_trace.
last_created = {}


def model_dict(model):
    return {
        "model_id": model.model_id,
        "experiment_id": model.experiment_id,
        "name": model.name,
        "artifact_location": model.artifact_location,
        "status": str(model.status),
        "lifecycle_stage": getattr(model, "lifecycle_stage", None),
        "creation_timestamp": model.creation_timestamp,
        "tags": dict(model.tags),
        "params": dict(model.params),
    }


def span_dict(span):
    return {
        "name": span.name,
        "span_id": span.span_id,
        "parent_id": span.parent_id,
        "span_type": span.span_type,
        "status": span.status.status_code.value,
        "inputs": span.inputs,
        "outputs": span.outputs,
        "start_time_ns": span.start_time_ns,
        "end_time_ns": span.end_time_ns,
    }


def run(operation, mlflow):
    from mlflow import MlflowClient

    op = operation["op"]
    if op == "chdir":
        os.chdir(operation["path"])
        return os.getcwd()
    if op == "write_file":
        with open(operation["path"], "w") as f:
            f.write(operation["text"])
        return None
    if op == "get_logged_model":
        return model_dict(mlflow.get_logged_model(operation["model_id"]))
    if op == "search_logged_models":
        models = mlflow.search_logged_models(
            experiment_ids=operation.get("experiment_ids", ["0"]),
            filter_string=operation.get("filter"),
            output_format="list",
        )
        return [model_dict(m) for m in models]
    if op == "create_logged_model":
        model = MlflowClient().create_logged_model(
            experiment_id=operation.get("experiment_id", "0"),
            name=operation.get("name"),
            tags=operation.get("tags"),
            params=operation.get("params"),
        )
        last_created["model_id"] = model.model_id
        return model_dict(model)
    if op == "enable_git":
        os.chdir(operation["cwd"])
        context = mlflow.genai.enable_git_model_versioning()
        try:
            return {
                "model_id": context.active_model.model_id if context.active_model else None,
                "git_tags": context.info.to_mlflow_tags() if context.info else None,
                "filter": context.info.to_search_filter_string() if context.info else None,
            }
        finally:
            mlflow.genai.disable_git_model_versioning()
    if op == "make_trace":
        # A root CHAIN span with a nested CHAT_MODEL span, linked to a logged model (by
        # default the one the last create_logged_model made).
        mlflow.set_active_model(model_id=operation.get("model_id") or last_created["model_id"])

        @mlflow.trace(span_type="CHAT_MODEL")
        def llm(messages):
            return {"choices": [{"message": {"role": "assistant", "content": "hi"}}]}

        @mlflow.trace(span_type="CHAIN")
        def my_app(q):
            return llm(messages=[{"role": "user", "content": q}])

        my_app(operation.get("question", "What is MLflow?"))
        trace_id = mlflow.get_last_active_trace_id()
        mlflow.clear_active_model()
        return trace_id
    if op == "search_traces":
        traces = mlflow.search_traces(
            experiment_ids=operation.get("experiment_ids", ["0"]),
            model_id=operation["model_id"],
            return_type="list",
        )
        return [
            {"trace_id": t.info.trace_id, "metadata": dict(t.info.trace_metadata), "state": str(t.info.state)}
            for t in traces
        ]
    if op == "get_trace":
        trace = mlflow.get_trace(operation["trace_id"])
        return {
            "trace_id": trace.info.trace_id,
            "state": trace.info.state.value,
            "request_time": trace.info.request_time,
            "execution_duration": trace.info.execution_duration,
            "request_preview": trace.info.request_preview,
            "response_preview": trace.info.response_preview,
            "metadata": dict(trace.info.trace_metadata),
            "tags": dict(trace.info.tags),
            "spans": [span_dict(s) for s in trace.data.spans],
        }
    if op == "parse_filter":
        from mlflow.utils.search_logged_model_utils import parse_filter_string

        return [[c.entity.key, c.op, c.value] for c in parse_filter_string(operation["filter"])]
    raise ValueError(f"unknown operation {op!r}")


def main():
    plan = json.load(sys.stdin)
    import mlflow

    results = []
    for operation in plan["operations"]:
        try:
            results.append(run(operation, mlflow))
        except Exception as e:  # reported to the test, which decides whether it is expected
            results.append({"error": f"{type(e).__name__}: {e}"})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
