"""The assistant: a DSPy program over the materialized index (see `assistant.py`).

`local_program.py` answers offline with the notes' own words; `tool_agent.py` lets a capable
model search, read and summarize; `evidence.py` and `conversation.py` are the pure parts;
`metrics.py` judges answers; `tracing.py` puts each answer in MLflow.

Names are resolved on first use, so `secondbrain ask ""` can reject its input without paying
for DSPy's import.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Assistant": "secondbrain_core.agent.assistant",
    "ask": "secondbrain_core.agent.assistant",
    "Answer": "secondbrain_core.agent.types",
    "Source": "secondbrain_core.agent.types",
    "Step": "secondbrain_core.agent.types",
    "Turn": "secondbrain_core.agent.types",
    "check_question": "secondbrain_core.agent.types",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
