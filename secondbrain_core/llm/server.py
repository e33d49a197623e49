"""An OpenAI-compatible HTTP server around one `LLMClient` (the local model, usually).

`GET /v1/models`, `POST /v1/chat/completions` (SSE streaming or not), `GET /healthz`.
Errors answer in OpenAI's shape (`{"error": {"message", "type", "param", "code"}}`) so any
OpenAI client reports them sensibly. One generation runs at a time; up to
`serve_queue_size` more wait their turn, and anything beyond is refused with 503 at once
rather than piling up until clients time out. Bodies above `serve_max_request_bytes` → 413.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from secondbrain_core.llm.models import ModelRef
from secondbrain_core.llm.types import ChatResult, ContextLengthError, LLMClient, TextStream
from secondbrain_core.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 256


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str
    text: str = ""


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def plain(self) -> dict:
        text = self.content if isinstance(self.content, str) else "".join(p.text for p in self.content or [])
        return {"role": "system" if self.role == "developer" else self.role, "content": text}


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    model: str | None = None
    messages: list[ChatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    stop: str | list[str] | None = None
    stream: bool = False
    stream_options: dict | None = None

    @property
    def stop_list(self) -> list[str] | None:
        return [self.stop] if isinstance(self.stop, str) else self.stop


class RequestError(Exception):
    """A request to answer with an OpenAI-style error body."""

    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code

    def response(self) -> JSONResponse:
        kind = "server_error" if self.status >= 500 else "invalid_request_error"
        body = {"error": {"message": self.message, "type": kind, "param": self.param, "code": self.code}}
        return JSONResponse(body, status_code=self.status)


class Gate:
    """Admission to a bounded queue plus the single generation turn."""

    def __init__(self, queue_size: int) -> None:
        self.capacity = queue_size + 1
        self._slots = threading.BoundedSemaphore(self.capacity)
        self.turn = threading.Lock()
        self._count_lock = threading.Lock()
        self.in_flight = 0

    def admit(self) -> None:
        if not self._slots.acquire(blocking=False):
            raise RequestError(503, "the server is busy: request queue full; retry later", code="queue_full")
        with self._count_lock:
            self.in_flight += 1

    def leave(self) -> None:
        with self._count_lock:
            self.in_flight -= 1
        self._slots.release()


def create_app(backend: LLMClient, settings: Settings, *, version: str = "") -> FastAPI:
    """The app around `backend`; tests pass a tiny deterministic backend for the queue paths."""
    app = FastAPI(title="secondbrain LLM endpoint", docs_url=None, redoc_url=None)
    gate = Gate(settings.serve_queue_size)

    @app.exception_handler(RequestError)
    async def _request_error(request: Request, exc: RequestError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return RequestError(exc.status_code, str(exc.detail)).response()

    def authorize(request: Request) -> None:
        if not settings.api_key:
            return
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), settings.api_key.get_secret_value().encode()):
            raise RequestError(401, "incorrect API key provided", code="invalid_api_key")

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "model": backend.model, "version": version, "in_flight": gate.in_flight}

    @app.get("/v1/models")
    async def models(request: Request) -> dict:
        authorize(request)
        card = {"id": backend.model, "object": "model", "created": 0, "owned_by": "secondbrain"}
        return {"object": "list", "data": [card]}

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        authorize(request)
        body = await _parse(request, settings)
        limit = settings.serve_max_tokens
        max_tokens = body.max_tokens or body.max_completion_tokens or min(DEFAULT_MAX_TOKENS, limit)
        if max_tokens > limit:
            raise RequestError(400, f"max_tokens {max_tokens} exceeds this server's limit {limit}", param="max_tokens")
        args = {
            "max_tokens": max_tokens,
            "temperature": body.temperature,
            "stop": body.stop_list,
        }
        messages = [m.plain() for m in body.messages]
        gate.admit()
        if not body.stream:
            try:
                result = await run_in_threadpool(_chat, backend, gate, messages, args)
            finally:
                gate.leave()
            return _completion(result)
        stream = backend.stream(messages, **args)
        try:
            first = await run_in_threadpool(_start, gate, stream)
        except BaseException:
            gate.leave()
            raise
        include_usage = bool((body.stream_options or {}).get("include_usage"))
        pump = _Pump(stream, gate, first)
        return _EventStream(pump, _sse(pump, stream, backend.model, include_usage))

    return app


async def _parse(request: Request, settings: Settings) -> ChatCompletionRequest:
    """Read the body within the size limit and validate it into a request (400/413 otherwise)."""
    limit = settings.serve_max_request_bytes
    too_big = RequestError(413, f"request body exceeds {limit} bytes", code="request_too_large")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    raw = bytearray()
    async for part in request.stream():
        raw += part
        if len(raw) > limit:
            raise too_big
    try:
        payload = json.loads(raw)
    except ValueError as exc:
        raise RequestError(400, f"request body is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise RequestError(400, "request body must be a JSON object")
    try:
        return ChatCompletionRequest.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first["loc"]) or None
        raise RequestError(400, f"{param}: {first['msg']}", param=param) from exc


def _context_error(exc: ContextLengthError) -> RequestError:
    return RequestError(400, str(exc), param="messages", code="context_length_exceeded")


def _chat(backend: LLMClient, gate: Gate, messages: list[dict], args: dict) -> ChatResult:
    with gate.turn:
        try:
            return backend.chat(messages, **args)
        except ContextLengthError as exc:
            raise _context_error(exc) from exc


def _start(gate: Gate, stream: TextStream) -> str | None:
    """Take the generation turn and produce the first piece, so a bad prompt is still a 400."""
    gate.turn.acquire()
    try:
        return next(stream, None)
    except ContextLengthError as exc:
        gate.turn.release()
        raise _context_error(exc) from exc
    except BaseException:
        gate.turn.release()
        raise


def _completion(result: ChatResult) -> dict:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": result.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": result.text},
                "finish_reason": result.finish_reason,
                "logprobs": None,
            }
        ],
        "usage": _usage(result),
    }


def _usage(result: ChatResult) -> dict:
    total = result.prompt_tokens + result.completion_tokens
    return {"prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens, "total_tokens": total}


class _Pump:
    """Runs the rest of a generation in its own thread and hands pieces to the event loop.

    One thread per stream instead of one thread-pool hop per token, and pieces that pile up
    while the client is slow go out as one SSE event. The thread owns the generation turn and
    the queue slot and gives them back when it ends: finished, failed, or told to stop because
    the client left (even one that left before the response started).
    """

    _END = object()

    def __init__(self, stream: TextStream, gate: Gate, first: str | None) -> None:
        self._stream, self._gate = stream, gate
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue = asyncio.Queue()
        self.stop = threading.Event()
        if first is not None:
            self._queue.put_nowait(first)
        threading.Thread(target=self._run, args=(first is not None,), daemon=True).start()

    def _put(self, item: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed under us: the server is stopping
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)

    def _run(self, started: bool) -> None:
        try:
            for piece in self._stream if started else ():
                if self.stop.is_set():
                    break
                self._put(piece)
        except Exception as exc:  # handed to the response, which ends the stream
            self._put(exc)
        finally:
            self._stream.close()
            self._gate.turn.release()
            self._gate.leave()
            self._put(self._END)

    async def pieces(self) -> AsyncIterator[str]:
        """Text as it comes; whatever is already waiting is joined into one piece."""
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            done = any(item is self._END for item in batch)
            for item in batch:
                if isinstance(item, Exception):
                    raise item
            text = "".join(item for item in batch if isinstance(item, str))
            if text:
                yield text
            if done:
                return


class _EventStream(StreamingResponse):
    """SSE that tells its pump to stop however the response ends (done, failed, client gone)."""

    def __init__(self, pump: _Pump, events: AsyncIterator[str]) -> None:
        super().__init__(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        self._pump = pump

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._pump.stop.set()


async def _sse(pump: _Pump, stream: TextStream, model: str, include_usage: bool) -> AsyncIterator[str]:
    """`data: {chunk}` events of one completion, then `data: [DONE]`."""
    chunk_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def event(delta: dict, finish: str | None = None, usage: dict | None = None) -> str:
        choices = [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
        chunk = {"id": chunk_id, "object": "chat.completion.chunk", "created": created, "model": model}
        chunk |= {"choices": choices, "usage": usage}
        return f"data: {json.dumps(chunk)}\n\n"

    yield event({"role": "assistant", "content": ""})
    async for piece in pump.pieces():
        yield event({"content": piece})
    result = stream.result
    yield event({}, finish=result.finish_reason if result else "stop")
    if include_usage and result:
        yield event({}, usage=_usage(result))
    yield "data: [DONE]\n\n"


def serve(settings: Settings, ref: ModelRef, *, port: int, host: str | None = None) -> None:
    """Load the model (before listening, so /healthz answering means ready) and serve until stopped."""
    import uvicorn

    from secondbrain_core.llm.local import LocalChatModel

    if not settings.llm_threads:
        # Generation threads wait on each other at every layer: one preempted by the event loop
        # (or a client on the same box) stalls the token. Measured on 2 cores: 57 tok/s with one
        # llama.cpp thread against 42-55 with two (benchmarks/RESULTS.md).
        settings = settings.model_copy(update={"llm_threads": max(1, (os.cpu_count() or 2) - 1)})
    backend = LocalChatModel.from_settings(settings, ref)
    log.info("serving %s version %s with %s on port %d", ref.name, ref.version, backend.engine.backend, port)
    app = create_app(backend, settings, version=ref.version)
    uvicorn.run(app, host=host or settings.endpoint_host, port=port, log_level="info")


if __name__ == "__main__":
    # The detached endpoint process (endpoint_process.py) gets the home and the already resolved
    # model explicitly: the deployer's Settings may override the home, and it records the version.
    from secondbrain_core.runtime_env import apply_runtime_env

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--ref", required=True, help="ModelRef as JSON")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--backend", default="auto", help="engine: auto, transformers or llamacpp")
    parser.add_argument("--threads", type=int, default=0, help="llama.cpp threads (0: one per core)")
    cli = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    env_settings = Settings(home=cli.home, llm_backend=cli.backend, llm_threads=cli.threads)
    apply_runtime_env(env_settings)
    serve(env_settings, ModelRef.model_validate_json(cli.ref), port=cli.port)
