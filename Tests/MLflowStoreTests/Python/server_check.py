"""Waits for an `mlflow server` to answer /health, then asks its REST API for logged models and
traces, and prints the answers as JSON. Standard library only (no MLflow import).

Usage: server_check.py <base url> <model id>
"""

import json
import sys
import time
import urllib.error
import urllib.request


def call(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read().decode()


def main():
    base, model_id = sys.argv[1], sys.argv[2]
    started = time.monotonic()
    while True:
        try:
            if call("GET", base + "/health")[0] == 200:
                break
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        if time.monotonic() - started > 180:
            print(json.dumps({"error": "server did not answer /health within 180 s"}))
            return
        time.sleep(0.5)
    startup = time.monotonic() - started
    _, models = call("POST", base + "/api/2.0/mlflow/logged-models/search", {"experiment_ids": ["0"], "max_results": 50})
    _, model = call("GET", base + "/api/2.0/mlflow/logged-models/" + model_id)
    _, traces = call(
        "POST",
        base + "/api/3.0/mlflow/traces/search",
        {
            "locations": [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": "0"}}],
            "filter": f"request_metadata.`mlflow.modelId` = '{model_id}'",
            "max_results": 10,
        },
    )
    print(json.dumps({
        "startup_seconds": startup,
        "models": json.loads(models),
        "model": json.loads(model),
        "traces": json.loads(traces),
    }))


if __name__ == "__main__":
    main()
