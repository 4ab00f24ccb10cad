"""Assesses every trace of the given versions as people, code and judges do, for the compare
tests, and prints what `mlflow.genai.evaluate` reported as one JSON object
{model_id: {metric: value}}.

    python feedback.py MODEL_ID…

Per trace: `mlflow.log_feedback` with a boolean (`helpful`, from a person), a number
(`accuracy`), a judge's yes/no rating (`relevance`) and free text (`tone`, no numeric value);
then on the first trace a `score` overridden by a second one, an expectation, and on the second
an `accuracy` feedback that records an error instead of a value; finally
`mlflow.genai.evaluate` with a code scorer `concise` over the version's traces.
"""

import json
import sys

import mlflow
from mlflow.entities import AssessmentError, AssessmentSource
from mlflow.genai.scorers import scorer

person = AssessmentSource(source_type="HUMAN", source_id="reviewer@example.com")
judge = AssessmentSource(source_type="LLM_JUDGE", source_id="gpt-4o-mini")


@scorer
def concise(outputs) -> bool:
    return len(str(outputs or "")) < 90


reported = {}
for version, model_id in enumerate(sys.argv[1:]):
    traces = mlflow.search_traces(model_id=model_id, return_type="list")
    for index, trace in enumerate(traces):
        trace_id = trace.info.trace_id
        mlflow.log_feedback(trace_id=trace_id, name="helpful", value=(index + version) % 3 != 0, source=person)
        mlflow.log_feedback(trace_id=trace_id, name="accuracy", value=round(0.4 + 0.07 * index + 0.1 * version, 2))
        mlflow.log_feedback(trace_id=trace_id, name="relevance", value=" Yes" if index % 2 else "no", source=judge)
        mlflow.log_feedback(trace_id=trace_id, name="tone", value="friendly", source=judge)
    first, second = traces[0].info.trace_id, traces[1].info.trace_id
    wrong = mlflow.log_feedback(trace_id=first, name="score", value=1, source=person)
    mlflow.override_feedback(trace_id=first, assessment_id=wrong.assessment_id, value=4 + version)
    mlflow.log_expectation(trace_id=first, name="expected_answer", value="Settings > Sharing")
    mlflow.log_feedback(
        trace_id=second, name="accuracy", source=judge,
        error=AssessmentError(error_code="JUDGE_TIMEOUT", error_message="the judge did not answer"))
    result = mlflow.genai.evaluate(data=mlflow.search_traces(model_id=model_id), scorers=[concise])
    reported[model_id] = {name: float(value) for name, value in result.metrics.items()}
print(json.dumps(reported))
