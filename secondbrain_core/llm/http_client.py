"""An OpenAI-compatible chat client over HTTP (OpenAI, vLLM, llama.cpp server, our endpoint).

Plain httpx rather than the `openai` package so retries are ours and visible: 429 and 5xx
answers and dropped connections are retried with exponential backoff, honouring
`Retry-After`, a bounded number of times. A stream is retried only until its first byte.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Generator
from contextlib import contextmanager

import httpx

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.llm.types import ChatResult, TextStream, Usage

log = logging.getLogger(__name__)

OPENAI_BASE_URL = "https://api.openai.com/v1"
RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
MAX_BACKOFF_S = 30.0


class LLMHTTPError(SecondBrainError):
    """The endpoint refused the request (or kept failing after the retries)."""


def retry_delay(attempt: int, response: httpx.Response | None, base_s: float) -> float:
    """Seconds to wait before retry `attempt` (0-based): the server's Retry-After, else 2^n backoff."""
    header = response.headers.get("retry-after") if response is not None else None
    if header:
        try:
            return min(max(float(header), 0.0), MAX_BACKOFF_S)
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):  # neither seconds nor an HTTP date: fall back to backoff
            when = None
        if when is not None:
            return min(max(when.timestamp() - time.time(), 0.0), MAX_BACKOFF_S)
    return min(base_s * 2**attempt, MAX_BACKOFF_S)


class HTTPChatClient:
    """`LLMClient` for any `/v1/chat/completions` endpoint."""

    def __init__(
        self,
        base_url: str | None,
        api_key: str | None,
        model: str,
        *,
        timeout_s: float = 120.0,
        max_retries: int = 4,
        backoff_s: float = 0.5,
    ) -> None:
        self.model = model
        self.base_url = (base_url or OPENAI_BASE_URL).rstrip("/")
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.usage = Usage()
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def _body(self, messages, max_tokens, temperature, stop, stream: bool) -> dict:
        body = {"model": self.model, "messages": messages, "max_tokens": max_tokens, "temperature": temperature}
        if stop:
            body["stop"] = stop
        if stream:
            body |= {"stream": True, "stream_options": {"include_usage": True}}
        return body

    @contextmanager
    def _post(self, body: dict, stream: bool) -> Generator[httpx.Response, None, None]:
        """POST with retries; yields the first acceptable response (open, when streaming)."""
        for attempt in range(self.max_retries + 1):
            response = None
            try:
                request = self._http.build_request("POST", "/chat/completions", json=body)
                response = self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                if attempt == self.max_retries:
                    raise LLMHTTPError(f"LLM endpoint {self.base_url} unreachable: {exc}") from exc
                log.warning("LLM endpoint %s: %s; retry %d", self.base_url, exc, attempt + 1)
            else:
                if response.status_code < 400:
                    try:
                        yield response
                    finally:
                        response.close()
                    return
                response.read()
                response.close()
                if response.status_code not in RETRY_STATUS or attempt == self.max_retries:
                    raise LLMHTTPError(
                        f"LLM endpoint {self.base_url} answered {response.status_code}: {response.text[:300]}"
                    )
                log.warning("LLM endpoint %s answered %d; retry %d", self.base_url, response.status_code, attempt + 1)
            time.sleep(retry_delay(attempt, response, self.backoff_s))

    def chat(
        self, messages: list[dict], *, max_tokens: int = 256, temperature: float = 0.0, stop: list[str] | None = None
    ) -> ChatResult:
        with self._post(self._body(messages, max_tokens, temperature, stop, stream=False), stream=False) as response:
            data = response.json()
        choice = data["choices"][0]
        usage = data.get("usage") or {}
        result = ChatResult(
            text=choice["message"].get("content") or "",
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
            model=data.get("model", self.model),
            finish_reason=choice.get("finish_reason") or "stop",
        )
        self.usage.add(result.prompt_tokens, result.completion_tokens)
        return result

    def stream(
        self, messages: list[dict], *, max_tokens: int = 256, temperature: float = 0.0, stop: list[str] | None = None
    ) -> TextStream:
        return TextStream(self._stream(self._body(messages, max_tokens, temperature, stop, stream=True)))

    def _stream(self, body: dict) -> Generator[str, None, ChatResult]:
        pieces: list[str] = []
        usage: dict = {}
        finish, model = "stop", self.model
        with self._post(body, stream=True) as response:
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                payload = line.removeprefix("data:").strip()
                if payload == "[DONE]":
                    break
                chunk = json.loads(payload)
                model = chunk.get("model", model)
                usage = chunk.get("usage") or usage
                for choice in chunk.get("choices", []):
                    finish = choice.get("finish_reason") or finish
                    piece = (choice.get("delta") or {}).get("content")
                    if piece:
                        pieces.append(piece)
                        yield piece
        # Endpoints that ignore `include_usage` report no counts: one chunk ≈ one token then.
        result = ChatResult(
            text="".join(pieces),
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", len(pieces)),
            model=model,
            finish_reason=finish,
        )
        self.usage.add(result.prompt_tokens, result.completion_tokens)
        return result
