"""An LLM's verdict on a document: score in [0, 1] and a one-line reason, or a recorded failure.

The configured OpenAI-compatible LLM when there is one, else the local SmolLM2-135M. The
model answers JSON `{"score": 0-10, "reason": "..."}`; anything else (no JSON, no number, a
number out of range, an endpoint error) is a `failed` verdict carrying what went wrong, never
an exception: one bad answer must not fail a partition. The prompt is versioned; a verdict is
only reused for the same content hash, prompt version and model (see `store.py`).
"""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.llm.types import LLMClient

PROMPT_VERSION = "judge-v2"
EXCERPT_CHARS = 1500  # enough to judge; keeps the local model at a few seconds per document
MAX_ANSWER_TOKENS = 60
REASON_CHARS = 200

SYSTEM = (
    "You rate documents for a personal knowledge base used to answer questions. "
    'Reply with JSON only: {"score": <integer 0-10>, "reason": "<one short sentence>"}.'
)
PROMPT = """Rate how useful this document is as a source of answers: 10 = clear, self-contained, \
informative prose or reference; 0 = empty, only links or navigation, boilerplate, or unreadable.

Title: {title}
<document>
{excerpt}
</document>

Answer in exactly this form: {{"score": 7, "reason": "explains X with examples"}}"""

_OBJECT = re.compile(r"\{.*?\}", re.DOTALL)


class Verdict(BaseModel):
    status: Literal["ok", "failed"]
    score: float | None = None  # in [0, 1] when ok
    reason: str
    model: str
    prompt_version: str = PROMPT_VERSION


def messages_for(title: str, markdown: str) -> list[dict]:
    excerpt = markdown[:EXCERPT_CHARS] + (" […]" if len(markdown) > EXCERPT_CHARS else "")
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": PROMPT.format(title=title, excerpt=excerpt)},
    ]


def parse_verdict(text: str, model: str) -> Verdict:
    """The model's answer as a verdict; a malformed one is `failed` with the answer's start."""
    match = _OBJECT.search(text)
    try:
        data = json.loads(match.group(0)) if match else None
        raw = data.get("score") if isinstance(data, dict) else None
        score = float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    except ValueError:
        score = None
    if score is None or not 0 <= score <= 10:
        return Verdict(status="failed", reason=f"malformed answer: {text.strip()[:REASON_CHARS]!r}", model=model)
    reason = data.get("reason")
    return Verdict(
        status="ok",
        score=round(score / 10, 4),
        reason=(reason if isinstance(reason, str) else "").strip()[:REASON_CHARS],
        model=model,
    )


def judge(client: LLMClient, title: str, markdown: str) -> Verdict:
    """One call to `client`; endpoint errors become a failed verdict naming them."""
    try:
        result = client.chat(messages_for(title, markdown), max_tokens=MAX_ANSWER_TOKENS, temperature=0.0)
    except SecondBrainError as exc:
        return Verdict(status="failed", reason=f"LLM error: {str(exc)[:REASON_CHARS]}", model=client.model)
    return parse_verdict(result.text, client.model)
