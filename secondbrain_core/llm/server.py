"""An OpenAI-compatible HTTP server around one `LLMClient` (the local model, usually).

`GET /v1/models`, `POST /v1/chat/completions` (SSE streaming or not), `GET /healthz`.
Every failure answers in OpenAI's shape (`{"error": {"message", "type", "param", "code"}}`),
so any OpenAI client reports it sensibly: bad input is a 400, never a 500. One generation runs
at a time; up to `serve_queue_size` more wait their turn, and anything beyond is refused with
503 at once rather than piling up until clients time out (`admission.py`; a client that
hangs up gives its place back at once). Bodies above `serve_max_request_bytes` → 413.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import logging
import os
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Annotated, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from secondbrain_core.llm.admission import ClientGone, Gate, Generation, QueueFull, drain, unless_gone
from secondbrain_core.llm.bind import api_key, listen_socket
from secondbrain_core.llm.endpoint_process import prove
from secondbrain_core.llm.models import ModelRef
from secondbrain_core.llm.types import ChatResult, ContextLengthError, LLMClient
from secondbrain_core.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 256

# The `code` of an error that names none more precise, by HTTP status.
CODES = {
    400: "invalid_request",
    401: "invalid_api_key",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    503: "queue_full",
}


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

    def texts(self) -> Iterator[tuple[str, str]]:
        """(param, text) of every string the server hands on: to the model or back to the client."""
        yield "model", self.model or ""
        for i, stop in enumerate(self.stop_list or []):
            yield f"stop.{i}", stop
        for i, message in enumerate(self.messages):
            yield f"messages.{i}.content", message.plain()["content"]


class RequestError(Exception):
    """A request to answer with an OpenAI-style error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param = status, message, param
        self.code = code or CODES.get(status, "internal_error" if status >= 500 else "invalid_request")
        self.headers = headers

    def body(self) -> dict:
        kind = "server_error" if self.status >= 500 else "invalid_request_error"
        return {"error": {"message": self.message, "type": kind, "param": self.param, "code": self.code}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def _internal_error() -> RequestError:
    """What a client sees of a failure of ours: no internals (the log has the traceback)."""
    return RequestError(500, "the server failed to answer this request; see its log")


def _digest(text: str) -> bytes:
    """A fixed-length digest, so comparing two keys takes the same time whatever their lengths."""
    return hashlib.sha256(text.encode()).digest()


def create_app(backend: LLMClient, settings: Settings, *, version: str = "", identity: str = "") -> FastAPI:
    """The app around `backend`; tests pass a tiny deterministic backend for the queue paths.

    `identity` is the token the endpoint process was started with: `/healthz?challenge=X`
    answers with its HMAC of X, so a caller knows it reached this server and not a stranger
    that took the port (`endpoint_process.healthy`).
    """
    # No /openapi.json nor /docs: they would describe the API to anyone, key or not.
    app = FastAPI(title="secondbrain LLM endpoint", docs_url=None, redoc_url=None, openapi_url=None)
    gate = Gate(settings.serve_queue_size)
    expected = _digest(api_key(settings)) if api_key(settings) else None

    @app.exception_handler(RequestError)
    async def _request_error(request: Request, exc: RequestError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return RequestError(exc.status_code, str(exc.detail), headers=exc.headers).response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first["loc"][1:]) or None
        return RequestError(400, f"{param}: {first['msg']}", param=param).response()

    @app.exception_handler(ContextLengthError)
    async def _too_long(request: Request, exc: ContextLengthError) -> JSONResponse:
        return RequestError(400, str(exc), param="messages", code="context_length_exceeded").response()

    @app.exception_handler(QueueFull)
    async def _busy(request: Request, exc: QueueFull) -> JSONResponse:
        return RequestError(503, "the server is busy: request queue full; retry later", code="queue_full").response()

    @app.exception_handler(ClientGone)
    async def _gone(request: Request, exc: ClientGone) -> Response:
        return Response(status_code=499)  # never read: the connection is closed

    @app.exception_handler(Exception)
    async def _failed(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return _internal_error().response()

    def authorize(request: Request) -> None:
        """`Authorization: Bearer KEY`, the scheme in any case (RFC 7235); a bare key is no scheme."""
        if expected is None:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(_digest(given.strip()), expected):
            raise RequestError(401, "incorrect API key provided", headers={"WWW-Authenticate": "Bearer"})

    @app.get("/healthz")
    async def healthz(challenge: Annotated[str | None, Query(max_length=128)] = None) -> dict:
        status = {"status": "ok", "model": backend.model, "version": version, "in_flight": gate.in_flight}
        if challenge is not None and identity:
            status["proof"] = prove(identity, challenge)
        return status

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
        generation = Generation(backend, gate, [m.plain() for m in body.messages], args)
        pieces = generation.pieces()
        if not body.stream:
            await unless_gone(request, generation, drain(pieces))
            assert generation.result is not None
            return _completion(generation.result)
        # The first piece before the headers: a prompt too long for the model is still a 400.
        first = await unless_gone(request, generation, anext(pieces, None))
        include_usage = bool((body.stream_options or {}).get("include_usage"))
        return _EventStream(generation, _sse(generation, first, pieces, backend.model, include_usage))

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
    except RecursionError as exc:
        raise RequestError(400, "request body is not valid JSON: nested too deeply") from exc
    if not isinstance(payload, dict):
        raise RequestError(400, "request body must be a JSON object")
    try:
        body = ChatCompletionRequest.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first["loc"]) or None
        raise RequestError(400, f"{param}: {first['msg']}", param=param) from exc
    for param, text in body.texts():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # JSON's "\ud800" escapes decode to lone surrogates: no tokenizer takes them
            message = f"{param}: not valid Unicode (a lone surrogate at character {exc.start})"
            raise RequestError(400, message, param=param) from exc
    return body


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


class _EventStream(StreamingResponse):
    """SSE that tells its generation to stop however the response ends (done, failed, client gone)."""

    def __init__(self, generation: Generation, events: AsyncIterator[str]) -> None:
        super().__init__(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
        self._generation = generation

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._generation.stop.set()


async def _sse(
    generation: Generation, first: str | None, rest: AsyncIterator[str], model: str, include_usage: bool
) -> AsyncIterator[str]:
    """`data: {chunk}` events of one completion, then `data: [DONE]`.

    A failure after the headers went out can no longer change the status: it ends the stream
    with an `error` event (what OpenAI sends, and what its clients raise), and no `[DONE]`.
    """
    chunk_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def event(delta: dict, finish: str | None = None, usage: dict | None = None) -> str:
        choices = [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
        chunk = {"id": chunk_id, "object": "chat.completion.chunk", "created": created, "model": model}
        chunk |= {"choices": choices, "usage": usage}
        return f"data: {json.dumps(chunk)}\n\n"

    yield event({"role": "assistant", "content": ""})
    try:
        if first is not None:
            yield event({"content": first})
        async for piece in rest:
            yield event({"content": piece})
    except Exception as exc:
        log.error("a streamed completion failed", exc_info=exc)
        yield f"data: {json.dumps(_internal_error().body())}\n\n"
        return
    result = generation.result
    yield event({}, finish=result.finish_reason if result else "stop")
    if include_usage and result:
        yield event({}, usage=_usage(result))
    yield "data: [DONE]\n\n"


def serve(settings: Settings, ref: ModelRef, sock: socket.socket, *, identity: str = "") -> None:
    """Load the model, then listen on `sock` (from `bind.listen_socket`): /healthz answering means ready."""
    import uvicorn

    from secondbrain_core.llm.local import LocalChatModel

    if not settings.llm_threads:
        # Generation threads wait on each other at every layer: one preempted by the event loop
        # (or a client on the same box) stalls the token. Measured on 2 cores: 57 tok/s with one
        # llama.cpp thread against 42-55 with two (benchmarks/RESULTS.md).
        settings = settings.model_copy(update={"llm_threads": max(1, (os.cpu_count() or 2) - 1)})
    backend = LocalChatModel.from_settings(settings, ref)
    host, port = sock.getsockname()[:2]
    log.info("serving %s version %s with %s on %s port %d", ref.name, ref.version, backend.engine.backend, host, port)
    app = create_app(backend, settings, version=ref.version, identity=identity)
    with contextlib.suppress(KeyboardInterrupt):  # the Ctrl-C uvicorn stopped on (`uvicorn.run` swallows it too)
        uvicorn.Server(uvicorn.Config(app, log_level="info")).run(sockets=[sock])


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
    parser.add_argument("--token-stdin", action="store_true", help="read the identity token from stdin's first line")
    cli = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    env_settings = Settings(home=cli.home, llm_backend=cli.backend, llm_threads=cli.threads)
    apply_runtime_env(env_settings)
    token = sys.stdin.readline().strip() if cli.token_stdin else ""
    with listen_socket(env_settings.endpoint_host, cli.port, env_settings) as bound:
        serve(env_settings, ModelRef.model_validate_json(cli.ref), bound, identity=token)
