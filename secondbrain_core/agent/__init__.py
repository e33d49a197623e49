"""The assistant: a DSPy program over the materialized index (see `assistant.py`).

`local_program.py` answers offline with the notes' own words; `tool_agent.py` lets a capable
model search, read and summarize; `evidence.py` and `conversation.py` are the pure parts;
`metrics.py` judges answers; `tracing.py` puts each answer in MLflow.
"""

from secondbrain_core.agent.assistant import Assistant, ask, check_question
from secondbrain_core.agent.types import Answer, Source, Step, Turn

__all__ = ["Answer", "Assistant", "Source", "Step", "Turn", "ask", "check_question"]
