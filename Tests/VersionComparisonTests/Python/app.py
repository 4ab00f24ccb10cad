"""A Python app traced with MLflow, for the compare tests: `@mlflow.trace` functions around an
OpenAI-compatible chat API called through MLflow's OpenAI autolog.

    mlflow-git exec -- python app.py BASE_URL KEY COUNT PAUSE_SECONDS

Run under `mlflow-git exec`, whose MLFLOW_ACTIVE_MODEL_ID links every trace to the current
version. Makes COUNT traces `answer` (a root span around the chat span, PAUSE_SECONDS longer each
time), one trace whose root is the chat span itself (`Completions`) and one failing trace
`lookup` (state ERROR).
"""

import sys
import time

import mlflow
import openai

base_url, key, count, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
mlflow.openai.autolog()
client = openai.OpenAI(base_url=base_url, api_key=key)


def chat(question):
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])
    return reply.choices[0].message.content


@mlflow.trace(name="answer")
def answer(question, wait):
    time.sleep(wait)
    return chat(question)


@mlflow.trace(name="lookup")
def lookup(order):
    raise LookupError(f"no order {order}")


for index in range(count):
    answer(f"Question {index}: " + "how do I share a folder " * (index + 1), pause * (index + 1))
chat("Where is my invoice?")
try:
    lookup("A-17")
except LookupError:
    pass
