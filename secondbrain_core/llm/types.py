"""The records every LLM backend speaks: one chat result, one text stream, a usage counter.

Callers (RAG, the agent, the summarizer, the server) depend on `LLMClient` only, so an
OpenAI-compatible HTTP endpoint and the in-process model are interchangeable.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from typing import Protocol, runtime_checkable

from pydantic import BaseModel

from secondbrain_core.errors import SecondBrainError


class ChatResult(BaseModel):
    text: str
    prompt_tokens: int
    completion_tokens: int
    model: str
    finish_reason: str  # "stop" (end of turn or a stop string) or "length" (max_tokens reached)


class ContextLengthError(SecondBrainError):
    """The prompt alone does not fit the model's context window."""


class TextStream(Iterator[str]):
    """Text deltas of one generation; `result` holds the totals once the stream is exhausted.

    Wraps a generator that yields text pieces and *returns* its `ChatResult`, so a streaming
    caller (the server's SSE loop) still learns the finish reason and token counts.
    """

    def __init__(self, pieces: Generator[str, None, ChatResult]) -> None:
        self._pieces = pieces
        self.result: ChatResult | None = None

    def __next__(self) -> str:
        try:
            return next(self._pieces)
        except StopIteration as done:
            self.result = done.value
            raise

    def close(self) -> None:
        """Stop generating early (a client went away); releases the backend's lock."""
        self._pieces.close()


class Usage:
    """Tokens and requests a client has spent, summed across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0

    def add(self, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            self.requests += 1
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {
                "requests": self.requests,
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
            }


@runtime_checkable
class LLMClient(Protocol):
    model: str
    usage: Usage

    def chat(
        self,
        messages: list[dict],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: list[str] | None = None,
    ) -> ChatResult: ...

    def stream(
        self,
        messages: list[dict],
        *,
        max_tokens: int = 256,
        temperature: float = 0.0,
        stop: list[str] | None = None,
    ) -> TextStream: ...
