"""The benchmarks' agent step in Python: retrieve, then generate, untraced and traced with
@mlflow.trace (root AGENT span and two children), the same shape as AgentStep.swift."""
import mlflow
from mlflow.entities import SpanType


def retrieve(query):
    return [f"doc-1 about {query}", "doc-2"]


def generate(question, documents):
    return {"answer": f"{len(documents)} documents on {question}", "model": "stub"}


def agent_step(question):
    documents = retrieve(question)
    return generate(question, documents)


@mlflow.trace(name="retrieve", span_type=SpanType.TOOL)
def traced_retrieve(query):
    return retrieve(query)


@mlflow.trace(name="generate", span_type=SpanType.LLM)
def traced_generate(question, documents):
    return generate(question, documents)


@mlflow.trace(name="agent_step", span_type=SpanType.AGENT)
def traced_agent_step(question):
    documents = traced_retrieve(question)
    return traced_generate(question, documents)
