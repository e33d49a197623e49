"""One trace per answer in MLflow (local sqlite by default), Opik too when configured.

The root span is ours (`ask`), so its trace id belongs to this answer even when several chat
users ask at once (`mlflow.get_last_active_trace_id()` is process-global). `mlflow.dspy.autolog`
adds a span for every module, LM call and tool call under it; retrieval and evidence selection
open their own spans through `span()`, which costs nothing when tracing is off. Feedback from
the chat lands on the answer's trace as a human assessment.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import Any

from secondbrain_core.experiments import use_experiment
from secondbrain_core.settings import Settings

log = logging.getLogger(__name__)
EXPERIMENT = "agent"
FEEDBACK_NAME = "user_feedback"
_SETUP_LOCK = threading.Lock()
_CONFIGURED: set[str] = set()
_ACTIVE = threading.local()


def _setup(settings: Settings) -> None:
    """Point MLflow at this home's tracking store and switch DSPy autologging on (once per process)."""
    import mlflow
    import mlflow.dspy

    uri = settings.mlflow_tracking_uri
    with _SETUP_LOCK:
        if uri in _CONFIGURED:
            return
        mlflow.set_tracking_uri(uri)
        use_experiment(settings, EXPERIMENT)  # trace artifacts under the home, not ./mlruns
        # MLflow's INFO lines ("Flushing the async trace logging queue...") would end every `ask`
        logging.getLogger("mlflow").setLevel(logging.WARNING)
        if not _CONFIGURED:
            # once per process: DSPy lets only the thread that first configured it configure again,
            # and the chat answers on worker threads (a second URI from another thread would raise)
            mlflow.dspy.autolog(log_traces=True, log_traces_from_eval=False, silent=True)
            _add_opik_callback(settings)
        _CONFIGURED.add(uri)


def _add_opik_callback(settings: Settings) -> None:
    """Opik's DSPy callback when `OPIK_URL_OVERRIDE`/`OPIK_API_KEY` is set and opik is installed."""
    if not (settings.opik_url_override or settings.opik_api_key):
        return
    try:
        import dspy
        from opik.integrations.dspy.callback import OpikCallback
    except ImportError:
        log.warning("OPIK_* is set but the opik package is not installed (pip install '.[cloud]'): Opik is off")
        return
    dspy.settings.configure(callbacks=[*dspy.settings.callbacks, OpikCallback(project_name="secondbrain")])


@contextlib.contextmanager
def trace(settings: Settings, name: str, inputs: dict[str, Any], enabled: bool = True) -> Iterator[dict]:
    """The root span of one answer; yields a dict whose `trace_id` is set (None when off).

    Set `outputs` in the yielded dict to record them on the span."""
    record: dict[str, Any] = {"trace_id": None, "outputs": None}
    if not enabled:
        yield record
        return
    import mlflow
    from mlflow.entities import SpanType

    _setup(settings)
    with mlflow.start_span(name=name, span_type=SpanType.AGENT) as root:
        root.set_inputs(inputs)
        record["trace_id"] = root.trace_id
        _ACTIVE.on = True
        try:
            yield record
        finally:
            _ACTIVE.on = False
            root.set_outputs(record["outputs"])


@contextlib.contextmanager
def span(name: str, kind: str, inputs: dict[str, Any]) -> Iterator[Any]:
    """A child span inside `trace()` (a no-op object outside one); set outputs with `.set_outputs`."""
    if not getattr(_ACTIVE, "on", False):
        yield _NoSpan()
        return
    import mlflow

    with mlflow.start_span(name=name, span_type=kind) as child:
        child.set_inputs(inputs)
        yield child


class _NoSpan:
    def set_outputs(self, outputs: Any) -> None:
        pass


def record_feedback(settings: Settings, trace_id: str, thumbs_up: bool, user: str = "chat-user") -> None:
    """The user's thumbs up/down on an answer, stored on its trace as a human assessment."""
    import mlflow
    from mlflow.entities import AssessmentSource, AssessmentSourceType

    _setup(settings)
    mlflow.log_feedback(
        trace_id=trace_id,
        name=FEEDBACK_NAME,
        value=thumbs_up,
        source=AssessmentSource(source_type=AssessmentSourceType.HUMAN, source_id=user),
    )
