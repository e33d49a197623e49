"""The OpenAI-compatible endpoint: real model on the happy paths, an echo backend for the edges."""

from __future__ import annotations

import concurrent.futures
import json
import time

import httpx
import openai
import pytest
from llm_servers import EchoBackend, serve_app

from secondbrain_core.llm.local import LocalChatModel
from secondbrain_core.llm.models import base_model
from secondbrain_core.llm.server import create_app
from secondbrain_core.settings import Settings

QUESTION = [{"role": "user", "content": "Name one colour of the sky."}]


@pytest.fixture(scope="module")
def real_url(tmp_path_factory) -> str:
    settings = Settings(home=tmp_path_factory.mktemp("home"))
    with serve_app(create_app(LocalChatModel(base_model()), settings, version="base")) as url:
        yield url


def _client(url: str, key: str = "unused", **kw) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, **kw)


def test_real_model_non_streaming_and_streaming_agree(real_url: str) -> None:
    client = _client(real_url)
    whole = client.chat.completions.create(model="base", messages=QUESTION, max_tokens=12)
    text = whole.choices[0].message.content
    assert text.strip()
    assert 0 < whole.usage.completion_tokens <= 12
    assert whole.usage.prompt_tokens > 5
    assert whole.choices[0].finish_reason in {"stop", "length"}

    chunks = list(
        client.chat.completions.create(
            model="base", messages=QUESTION, max_tokens=12, stream=True, stream_options={"include_usage": True}
        )
    )
    pieces = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    assert "".join(pieces) == text  # greedy decoding: the stream spells the same answer
    assert len([p for p in pieces if p]) > 1  # and it really arrived in pieces
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == whole.choices[0].finish_reason


def test_real_model_stop_string_cuts_the_answer(real_url: str) -> None:
    client = _client(real_url)
    full = client.chat.completions.create(model="base", messages=QUESTION, max_tokens=12).choices[0].message.content
    word = full.split()[1]
    cut = client.chat.completions.create(model="base", messages=QUESTION, max_tokens=12, stop=[word])
    assert cut.choices[0].message.content == full[: full.index(word)]
    assert cut.choices[0].finish_reason == "stop"


def test_models_health_and_raw_sse(tmp_path) -> None:
    with serve_app(create_app(EchoBackend(), Settings(home=tmp_path), version="v7")) as url:
        assert httpx.get(f"{url}/healthz").json() == {"status": "ok", "model": "echo", "version": "v7", "in_flight": 0}
        assert [m.id for m in _client(url).models.list()] == ["echo"]
        body = {"messages": [{"role": "user", "content": "alpha beta gamma"}], "stream": True, "max_tokens": 2}
        lines = [ln for ln in httpx.post(f"{url}/v1/chat/completions", json=body).text.splitlines() if ln]
    assert all(ln.startswith("data: ") for ln in lines)
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(ln.removeprefix("data: ")) for ln in lines[:-1]]
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == "alpha beta"
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (b'{"messages": [', None),
        (b'{"model": "x"}', "messages"),
        (b'{"messages": []}', "messages"),
        (b'{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 99}', "max_tokens"),
        (b'{"messages": [{"role": "wizard", "content": "hi"}]}', "messages.0.role"),
    ],
)
def test_invalid_requests_get_openai_style_400(tmp_path, body: bytes, param: str | None) -> None:
    settings = Settings(home=tmp_path, serve_max_tokens=64)
    with serve_app(create_app(EchoBackend(), settings)) as url:
        response = httpx.post(f"{url}/v1/chat/completions", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert error["message"]


def test_oversized_body_is_413(tmp_path) -> None:
    settings = Settings(home=tmp_path, serve_max_request_bytes=2000)
    big = {"messages": [{"role": "user", "content": "x" * 5000}]}
    with serve_app(create_app(EchoBackend(), settings)) as url:
        response = httpx.post(f"{url}/v1/chat/completions", json=big)
        small = httpx.post(f"{url}/v1/chat/completions", json={"messages": [{"role": "user", "content": "ok"}]})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert small.status_code == 200


def test_api_key_is_enforced(tmp_path) -> None:
    settings = Settings(home=tmp_path, api_key="s3cret")
    with serve_app(create_app(EchoBackend(), settings)) as url:
        with pytest.raises(openai.AuthenticationError) as wrong:
            _client(url, "nope", max_retries=0).chat.completions.create(model="echo", messages=QUESTION)
        right = _client(url, "s3cret").chat.completions.create(model="echo", messages=QUESTION)
        health = httpx.get(f"{url}/healthz")
    assert wrong.value.status_code == 401
    assert wrong.value.body["code"] == "invalid_api_key"
    assert right.choices[0].message.content == QUESTION[0]["content"]
    assert health.status_code == 200  # probes need no key


def test_parallel_requests_are_answered_or_cleanly_rejected(tmp_path) -> None:
    settings = Settings(home=tmp_path, serve_queue_size=2)
    backend = EchoBackend(delay_s=0.4)

    def ask(i: int, url: str) -> httpx.Response:
        body = {"messages": [{"role": "user", "content": f"request {i}"}], "stream": i % 2 == 0}
        return httpx.post(f"{url}/v1/chat/completions", json=body, timeout=30)

    with serve_app(create_app(backend, settings)) as url:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(lambda i: ask(i, url), range(8)))
        after = httpx.get(f"{url}/healthz").json()
    codes = [r.status_code for r in responses]
    assert set(codes) <= {200, 503}
    assert 1 <= codes.count(200) <= 3 + 2  # the running one plus the queue (plus any that got in late)
    assert codes.count(503) >= 1
    for i, response in enumerate(responses):
        if response.status_code == 503:
            assert response.json()["error"]["code"] == "queue_full"
        elif i % 2:
            assert response.json()["choices"][0]["message"]["content"] == f"request {i}"
        else:
            assert response.text.rstrip().endswith("data: [DONE]")
    assert after["in_flight"] == 0
    assert backend.usage.snapshot()["requests"] == codes.count(200)


def test_client_leaving_mid_stream_frees_the_server(tmp_path) -> None:
    settings = Settings(home=tmp_path, serve_queue_size=0)
    words = " ".join(f"w{i}" for i in range(40))
    with serve_app(create_app(EchoBackend(delay_s=2.0), settings)) as url:
        body = {"messages": [{"role": "user", "content": words}], "stream": True}
        with httpx.stream("POST", f"{url}/v1/chat/completions", json=body) as response:
            next(response.iter_lines())  # read one event, then hang up
        deadline = time.monotonic() + 10
        while httpx.get(f"{url}/healthz").json()["in_flight"] and time.monotonic() < deadline:
            time.sleep(0.05)
        after = httpx.post(f"{url}/v1/chat/completions", json={"messages": [{"role": "user", "content": "next"}]})
    assert after.status_code == 200  # the slot (queue size 0: the only one) was handed back
    assert after.json()["choices"][0]["message"]["content"] == "next"
