"""A fake OpenAI/Voyage-compatible API on loopback: embeddings, chat completions, rerank.

The hosted services are outside this machine, so tests meet them at the HTTP boundary here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIM = 8


@contextlib.contextmanager
def served(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    """`server` answering on its own thread for the block; shut down and closed after it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class FakeAPI(ThreadingHTTPServer):
    """Answers /embeddings, /chat/completions and /rerank; records every request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, dict, dict]] = []
        self.status = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


def fake_vector(text: str) -> list[float]:
    """Deterministic, not normalized (the client must normalize)."""
    digest = hashlib.sha256(text.encode()).digest()
    return [float(b) + 1.0 for b in digest[:DIM]]


class JSONHandler(BaseHTTPRequestHandler):
    """A quiet handler that answers JSON: the base of every fake API server the tests run."""

    def send_json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


class _Handler(JSONHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server: FakeAPI = self.server  # type: ignore[assignment]
        server.requests.append((self.path, dict(self.headers), body))
        if server.status != 200:
            return self.send_json(server.status, {"error": "nope"})
        if self.path.endswith("/embeddings"):
            rows = [{"index": i, "embedding": fake_vector(t)} for i, t in enumerate(body["input"])]
            return self.send_json(200, {"data": list(reversed(rows))})  # out of order on purpose
        if self.path.endswith("/chat/completions"):
            chunk = body["messages"][-1]["content"].split("<chunk>")[1].split("</chunk>")[0].strip()
            answer = f"Situated: {chunk.split()[1]}"
            return self.send_json(
                200,
                {
                    "model": body["model"],
                    "choices": [{"message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 3},
                },
            )
        if self.path.endswith("/rerank"):
            scores = [float("banana" in doc) + i / 100 for i, doc in enumerate(body["documents"])]
            return self.send_json(200, {"data": [{"index": i, "relevance_score": s} for i, s in enumerate(scores)]})
        return self.send_json(404, {})
