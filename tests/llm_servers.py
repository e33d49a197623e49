"""Loopback servers for the LLM tests: our FastAPI app under uvicorn, and a tiny backend."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager

import uvicorn

from secondbrain_core.llm.types import ChatResult, TextStream, Usage


@contextmanager
def serve_app(app) -> Iterator[str]:
    """Run `app` under uvicorn in a thread on a free loopback port; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class EchoBackend:
    """A deterministic `LLMClient`: answers with the words of the last message, slowly if asked."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.model = "echo"
        self.usage = Usage()
        self.delay_s = delay_s

    def chat(self, messages, *, max_tokens=256, temperature=0.0, stop=None) -> ChatResult:
        stream = self.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)
        for _ in stream:
            pass
        return stream.result

    def stream(self, messages, *, max_tokens=256, temperature=0.0, stop=None) -> TextStream:
        return TextStream(self._words(messages[-1]["content"].split(), max_tokens))

    def _words(self, words: list[str], max_tokens: int) -> Generator[str, None, ChatResult]:
        out = words[:max_tokens]
        for i, word in enumerate(out):
            time.sleep(self.delay_s / max(len(out), 1))
            yield word if i == 0 else f" {word}"
        finish = "length" if len(words) > max_tokens else "stop"
        self.usage.add(len(words), len(out))
        return ChatResult(
            text=" ".join(out),
            prompt_tokens=len(words),
            completion_tokens=len(out),
            model=self.model,
            finish_reason=finish,
        )
