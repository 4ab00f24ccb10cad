"""Times Python MLflow's enable_git_model_versioning() in one warm process.

Usage: python python_enable.py REPO ITERATIONS
Prints JSON {"warm_seconds": [...]} : every call after a first warm-up call (which creates or
finds the model and initialises the store), in the repository REPO, against MLFLOW_TRACKING_URI.
"""
import json
import logging
import os
import sys
import time

os.chdir(sys.argv[1])
iterations = int(sys.argv[2])
import mlflow

logging.getLogger("mlflow").setLevel(logging.ERROR)
mlflow.genai.enable_git_model_versioning()
samples = []
for _ in range(iterations):
    start = time.perf_counter()
    mlflow.genai.enable_git_model_versioning()
    samples.append(time.perf_counter() - start)
print(json.dumps({"warm_seconds": samples}))
