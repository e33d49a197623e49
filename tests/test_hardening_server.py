"""The endpoint under hostile and clumsy use: malformed bodies, clients that leave, strangers that
hold our pid or port, open interfaces, bad ports and nonsense settings (issue 10: items 2, 4, 5,
9, 10, 13, 14). Each test reproduced its defect on the code before the fix.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import openai
import pytest
import yaml
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from llm_servers import EchoBackend, serve_app
from pydantic import ValidationError

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.llm import endpoint_process
from secondbrain_core.llm.bind import listen_socket
from secondbrain_core.llm.endpoint_process import EndpointState
from secondbrain_core.llm.server import create_app
from secondbrain_core.llm.types import TextStream
from secondbrain_core.processes import free_port, is_ours
from secondbrain_core.settings import REPO_ROOT, Settings

SECONDBRAIN = Path(sys.executable).parent / "secondbrain"
CHAT = "/v1/chat/completions"


def _error(response: httpx.Response) -> dict:
    """The OpenAI-shaped error body every failure must carry."""
    assert response.headers["content-type"].startswith("application/json"), response.text[:200]
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code"} and error["message"] and error["code"]
    return error


class Utf8Backend(EchoBackend):
    """Encodes the prompt as a tokenizer does (the real model raised UnicodeEncodeError here)."""

    def stream(self, messages, **kw) -> TextStream:
        for message in messages:
            message["content"].encode("utf-8")
        return super().stream(messages, **kw)


class FailingBackend(EchoBackend):
    """Fails at once, or after `words_before` words of a stream."""

    def __init__(self, words_before: int = 0) -> None:
        super().__init__()
        self.words_before = words_before

    def stream(self, messages, **kw) -> TextStream:
        def pieces():
            for i in range(self.words_before):
                yield f"w{i} "
            raise RuntimeError("the engine fell over")

        return TextStream(pieces())


# --- item 4: malformed input is a 400, every failure an OpenAI-shaped JSON error ---------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"messages": ' + b"[" * 100_000,
        b'{"messages": [{"role": "user", "content": "hi"}], "x": ' + b'{"a": ' * 50_000,
    ],
    ids=["bare", "in-messages", "in-an-ignored-field"],
)
def test_deeply_nested_body_is_400_not_500(tmp_path, body: bytes) -> None:
    with serve_app(create_app(EchoBackend(), Settings(home=tmp_path))) as url:
        response = httpx.post(f"{url}{CHAT}", content=body, headers={"content-type": "application/json"})
        after = httpx.post(f"{url}{CHAT}", json={"messages": [{"role": "user", "content": "still here"}]})
    assert response.status_code == 400
    assert _error(response)["type"] == "invalid_request_error"
    assert after.json()["choices"][0]["message"]["content"] == "still here"


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("fragment", "param"),
    [
        (b'"messages": [{"role": "user", "content": "a\\ud800b"}]', "messages.0.content"),
        (b'"messages": [{"role": "user", "content": [{"type": "text", "text": "\\udfff"}]}]', "messages.0.content"),
        (b'"messages": [{"role": "user", "content": "ok"}], "stop": ["\\ud83d"]', "stop"),
        (b'"messages": [{"role": "user", "content": "ok"}], "model": "\\udc00"', "model"),
    ],
    ids=["content", "content-part", "stop", "model"],
)
def test_lone_surrogate_is_400_naming_the_field(tmp_path, stream: bool, fragment: bytes, param: str) -> None:
    body = b"{" + fragment + b', "stream": ' + json.dumps(stream).encode() + b"}"
    with serve_app(create_app(Utf8Backend(), Settings(home=tmp_path))) as url:
        response = httpx.post(f"{url}{CHAT}", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text[:300]
    error = _error(response)
    assert error["param"].startswith(param) and "surrogate" in error["message"]


def test_backend_failure_is_a_json_500_without_internals(tmp_path) -> None:
    backend = FailingBackend()
    with serve_app(create_app(backend, Settings(home=tmp_path))) as url:
        plain = httpx.post(f"{url}{CHAT}", json={"messages": [{"role": "user", "content": "x"}]})
        streamed = httpx.post(f"{url}{CHAT}", json={"messages": [{"role": "user", "content": "x"}], "stream": True})
        health = httpx.get(f"{url}/healthz").json()
    for response in (plain, streamed):
        assert response.status_code == 500
        error = _error(response)
        assert error["type"] == "server_error" and "fell over" not in error["message"]
    assert health["in_flight"] == 0


def test_failure_mid_stream_ends_it_with_an_error_event(tmp_path) -> None:
    with serve_app(create_app(FailingBackend(words_before=3), Settings(home=tmp_path))) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
        received = []
        with pytest.raises(openai.APIError):
            for chunk in client.chat.completions.create(
                model="x", messages=[{"role": "user", "content": "x"}], stream=True
            ):
                received.append(chunk.choices[0].delta.content or "")
        raw = httpx.post(f"{url}{CHAT}", json={"messages": [{"role": "user", "content": "x"}], "stream": True}).text
        health = httpx.get(f"{url}/healthz").json()
    assert "".join(received).startswith("w0 ")  # what came before the failure was delivered
    assert "data: [DONE]" not in raw and '"type": "server_error"' in raw
    assert health["in_flight"] == 0


def test_every_refusal_is_an_openai_shaped_json_error(tmp_path) -> None:
    settings = Settings(home=tmp_path, api_key="k3y-k3y-k3y", serve_queue_size=0, serve_max_request_bytes=1024)
    auth = {"authorization": "Bearer k3y-k3y-k3y"}
    slow = EchoBackend(delay_s=1.5)
    with serve_app(create_app(slow, settings)) as url:
        busy = threading.Thread(
            target=httpx.post,
            args=(f"{url}{CHAT}",),
            kwargs={"json": {"messages": [{"role": "user", "content": "a b c d e f"}]}, "headers": auth, "timeout": 30},
        )
        busy.start()
        while httpx.get(f"{url}/healthz").json()["in_flight"] == 0:
            time.sleep(0.02)
        seen = {
            503: httpx.post(f"{url}{CHAT}", json={"messages": [{"role": "user", "content": "x"}]}, headers=auth),
            404: httpx.get(f"{url}/nope", headers=auth),
            405: httpx.get(f"{url}{CHAT}", headers=auth),
            401: httpx.get(f"{url}/v1/models"),
            413: httpx.post(f"{url}{CHAT}", content=b"x" * 5000, headers=auth),
            400: httpx.get(f"{url}/healthz", params={"challenge": "c" * 1000}),  # FastAPI's own 422 path
        }
        busy.join()
    for status, response in seen.items():
        assert response.status_code == status, (status, response.text[:200])
        _error(response)
    assert seen[503].json()["error"]["code"] == "queue_full"
    assert seen[401].headers["www-authenticate"] == "Bearer"


_ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=()), max_size=12)  # lone surrogates too
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_ANY_TEXT, inner, max_size=3),
    max_leaves=12,
)
_MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "system", "developer", "assistant", "tool", "wizard"])},
    optional={
        "content": _ANY_TEXT | _JSON | st.lists(st.fixed_dictionaries({"type": st.just("text"), "text": _ANY_TEXT})),
    },
)
_REQUEST = st.fixed_dictionaries(
    {"messages": st.lists(_MESSAGE, max_size=3) | _JSON},
    optional={
        name: _JSON | st.integers(-5, 80) | _ANY_TEXT
        for name in ("model", "max_tokens", "max_completion_tokens", "temperature", "stop", "stream", "stream_options")
    },
)


@pytest.fixture(scope="module")
def echo_url(tmp_path_factory) -> str:
    with serve_app(create_app(EchoBackend(), Settings(home=tmp_path_factory.mktemp("h"), serve_max_tokens=64))) as url:
        yield url


@hypothesis_settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_REQUEST)
def test_any_json_request_is_answered_or_refused_with_400(echo_url: str, body: dict) -> None:
    """The class behind item 4: whatever JSON arrives, the answer is a 200 or an OpenAI-style 400."""
    response = httpx.post(f"{echo_url}{CHAT}", content=json.dumps(body).encode(), timeout=30)
    assert response.status_code in {200, 400}, (response.status_code, response.text[:300])
    if response.status_code == 400:
        assert _error(response)["type"] == "invalid_request_error"
    elif response.headers["content-type"].startswith("text/event-stream"):
        assert response.text.rstrip().endswith("data: [DONE]")
    else:
        assert isinstance(response.json()["choices"][0]["message"]["content"], str)


# --- item 5: a client that hangs up gives its place back ------------------------------------


def _leave_after(url: str, body: dict, seconds: float) -> str:
    """Ask, and hang up after `seconds` whatever has come by then (as a client with a deadline does)."""
    deadline = time.monotonic() + seconds
    try:
        with httpx.stream("POST", f"{url}{CHAT}", json=body, timeout=seconds) as response:
            for _ in response.iter_lines():
                if time.monotonic() > deadline:
                    return "left mid-stream"
    except httpx.ReadTimeout:
        return "gave up waiting"
    return f"got a whole answer: {response.status_code}"


def _wait_until(condition, seconds: float = 5.0) -> None:
    """Poll `condition` until it holds or `seconds` pass (the assertions after it say what failed)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.parametrize("stream", [False, True])
def test_clients_that_leave_free_their_slots(tmp_path, stream: bool) -> None:
    """A caller that hung up mid-answer and one that gave up in the queue both give their place back.

    The waiter starts only once the holder is in flight and gives up well before the holder
    hangs up, so which of them holds the one slot is not left to thread scheduling.
    """
    settings = Settings(home=tmp_path, serve_queue_size=1)
    backend = EchoBackend(delay_s=2.0)
    body = {"messages": [{"role": "user", "content": " ".join(f"w{i}" for i in range(20))}], "stream": stream}
    with serve_app(create_app(backend, settings)) as url:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            holder = pool.submit(_leave_after, url, body, 1.0)
            _wait_until(lambda: httpx.get(f"{url}/healthz").json()["in_flight"] == 1)
            waiter = pool.submit(_leave_after, url, body, 0.3)
            left = [holder.result(), waiter.result()]
        _wait_until(lambda: httpx.get(f"{url}/healthz").json()["in_flight"] == 0, seconds=1.5)
        freed = httpx.get(f"{url}/healthz").json()["in_flight"]
        answer = httpx.post(f"{url}{CHAT}", json={"messages": [{"role": "user", "content": "next one"}]}, timeout=30)
    assert left[1] == "gave up waiting" and not left[0].startswith("got")
    assert freed == 0  # both places came back well before the 2 x 2 s their generations would take
    assert answer.status_code == 200 and answer.json()["choices"][0]["message"]["content"] == "next one"
    assert backend.usage.snapshot()["requests"] == 1  # neither abandoned completion ran to its end


# --- item 14: authorization -------------------------------------------------------------------


def test_schema_pages_are_not_served(tmp_path) -> None:
    with serve_app(create_app(EchoBackend(), Settings(home=tmp_path, api_key="s3cret-key"))) as url:
        pages = {path: httpx.get(f"{url}{path}") for path in ("/openapi.json", "/docs", "/redoc")}
    for path, response in pages.items():
        assert response.status_code == 404, path
        _error(response)


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("Bearer s3cret-key", 200),
        ("bearer s3cret-key", 200),
        ("BEARER s3cret-key", 200),
        ("s3cret-key", 401),
        ("Basic s3cret-key", 401),
        ("Bearer", 401),
        ("Bearer s3cret-ke", 401),
        ("Bearer s3cret-key-and-more", 401),
    ],
)
def test_bearer_scheme_is_case_insensitive_and_a_bare_key_is_refused(tmp_path, header: str, status: int) -> None:
    with serve_app(create_app(EchoBackend(), Settings(home=tmp_path, api_key="s3cret-key"))) as url:
        response = httpx.get(f"{url}/v1/models", headers={"authorization": header})
    assert response.status_code == status
    if status == 401:
        assert _error(response)["code"] == "invalid_api_key"


# --- item 2: a stale pid or a stranger on the port ------------------------------------------


def _write_state(settings: Settings, **fields) -> None:
    state = {"port": 1, "url": "http://127.0.0.1:1", "model": "m", "version": "1", "source": "base"}
    state |= {"started_at": "2026-01-01T00:00:00+00:00", **fields}
    (settings.home / "endpoint").mkdir(parents=True, exist_ok=True)
    (settings.home / "endpoint" / "state.json").write_text(EndpointState(**state).model_dump_json())


def test_stop_never_signals_a_process_that_took_the_pid(tmp_path) -> None:
    settings = Settings(home=tmp_path)
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _write_state(settings, pid=bystander.pid, port=free_port(), token="t")
        endpoint_process.stop(settings)
        time.sleep(0.3)
        assert bystander.poll() is None  # still running: it was never ours
    finally:
        bystander.kill()
        bystander.wait()


class _Stranger(BaseHTTPRequestHandler):
    """Answers 200 to everything and remembers the Authorization headers it was sent."""

    seen: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("authorization"))
        body = b'{"status": "ok", "proof": "0000"}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args) -> None:
        pass


def test_a_stranger_on_the_port_is_not_taken_for_the_endpoint(tmp_path) -> None:
    """A live pid and a 200 on /healthz were enough: callers would then send it the API key."""
    settings = Settings(home=tmp_path, api_key="the-real-api-key")
    stranger = ThreadingHTTPServer(("127.0.0.1", 0), _Stranger)
    threading.Thread(target=stranger.serve_forever, daemon=True).start()
    port = stranger.server_address[1]
    try:
        _write_state(settings, pid=os.getpid(), port=port, url=f"http://127.0.0.1:{port}", token="our-token")
        found = endpoint_process.current(settings)
    finally:
        stranger.shutdown()
        stranger.server_close()
    assert found is None  # so `summarize` and the checks never talk to it
    assert _Stranger.seen and not any(_Stranger.seen)  # it was asked for a proof, with no key


def test_only_the_server_that_knows_the_token_proves_it(tmp_path) -> None:
    with serve_app(create_app(EchoBackend(), Settings(home=tmp_path), identity="tok-1")) as url:
        assert endpoint_process.healthy(url, "tok-1")
        assert not endpoint_process.healthy(url, "tok-2")
        assert not endpoint_process.healthy(url, "")
        challenge = httpx.get(f"{url}/healthz", params={"challenge": "abc"}).json()
    assert challenge["proof"] == endpoint_process.prove("tok-1", "abc") and "tok-1" not in json.dumps(challenge)


def test_is_ours_needs_every_marker_in_the_command_line() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "mod.name", "/some/home"])
    try:
        deadline = time.monotonic() + 10  # until the child has exec'd (before, it shows our command line)
        while not is_ours(proc.pid, "mod.name", "/some/home") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert is_ours(proc.pid, "mod.name", "/some/home")
        assert not is_ours(proc.pid, "mod.name", "/other/home")
        assert not is_ours(proc.pid, "mod.nam")  # whole arguments, not substrings
    finally:
        proc.kill()
        proc.wait()
    assert not is_ours(proc.pid, "mod.name")


def test_state_file_holding_the_token_is_private(tmp_path) -> None:
    settings = Settings(home=tmp_path)
    (tmp_path / "endpoint").mkdir()
    state = EndpointState(
        pid=1, port=2, url="u", model="m", version="v", source="s", started_at="t", token="secret-token"
    )
    endpoint_process._write(settings, state)
    assert (tmp_path / "endpoint" / "state.json").stat().st_mode & 0o077 == 0
    assert "secret-token" not in repr(state)


# --- items 9 and 10: where `serve` listens ---------------------------------------------------


def _serve(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "SECONDBRAIN_API_KEY"} | (env or {})
    return subprocess.run(
        [str(SECONDBRAIN), "serve", "--model", "base", *args], capture_output=True, text=True, timeout=120, env=environ
    )


def test_serve_on_a_busy_port_exits_2_naming_it(settings: Settings) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        completed = _serve("--host", "127.0.0.1", "--port", str(port))
    assert completed.returncode == 2, completed.stderr[-1000:]
    assert completed.stderr.strip().splitlines() == [completed.stderr.strip()]
    assert str(port) in completed.stderr and "in use" in completed.stderr


@pytest.mark.parametrize("port", ["0", "99999", "-1", "65536"])
def test_serve_with_an_impossible_port_exits_2_naming_it(settings: Settings, port: str) -> None:
    completed = _serve("--port", port)
    assert completed.returncode == 2, completed.stderr[-1000:]
    assert len(completed.stderr.strip().splitlines()) == 1 and f"port {port}" in completed.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1", "example.invalid"])
def test_serve_beyond_loopback_without_a_key_exits_2(settings: Settings, host: str) -> None:
    completed = _serve("--host", host, "--port", str(free_port()))
    assert completed.returncode == 2, completed.stderr[-1000:]
    assert len(completed.stderr.strip().splitlines()) == 1 and "SECONDBRAIN_API_KEY" in completed.stderr


def test_listening_beyond_loopback_is_allowed_with_a_key_and_loopback_without(tmp_path) -> None:
    with listen_socket("127.0.0.1", free_port(), Settings(home=tmp_path)) as sock:
        assert sock.getsockname()[0] == "127.0.0.1"
    with listen_socket("0.0.0.0", free_port(), Settings(home=tmp_path, api_key="a-key-at-last")) as sock:
        assert sock.getsockname()[0] == "0.0.0.0"
    for blank in ("", "  "):
        with pytest.raises(SecondBrainError, match="SECONDBRAIN_API_KEY"):
            listen_socket("0.0.0.0", free_port(), Settings(home=tmp_path, api_key=blank))


def test_deploy_beyond_loopback_without_a_key_is_refused_before_starting(tmp_path) -> None:
    with pytest.raises(SecondBrainError, match="SECONDBRAIN_API_KEY"):
        endpoint_process.deploy(Settings(home=tmp_path, endpoint_host="0.0.0.0"), "base", timeout_s=5)
    assert not list(tmp_path.glob("endpoint/server-*.log"))  # no server process was started


def test_compose_publishes_on_loopback_and_requires_a_key() -> None:
    service = yaml.safe_load((REPO_ROOT / "docker" / "compose.yaml").read_text())["services"]["endpoint"]
    assert service["ports"] and all(str(p).startswith("127.0.0.1:") for p in service["ports"])
    assert service["environment"]["SECONDBRAIN_API_KEY"].startswith("${SECONDBRAIN_API_KEY:?")


# --- item 13: numeric settings are bounded ----------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SECONDBRAIN_SERVE_QUEUE_SIZE", "-1"),
        ("SECONDBRAIN_ENDPOINT_PORT", "70000"),
        ("SECONDBRAIN_ENDPOINT_PORT", "0"),
        ("SECONDBRAIN_SERVE_MAX_REQUEST_BYTES", "-1"),
        ("SECONDBRAIN_SERVE_MAX_TOKENS", "0"),
        ("SECONDBRAIN_LLM_CONTEXT_TOKENS", "0"),
        ("SECONDBRAIN_LLM_TIMEOUT_S", "0"),
        ("SECONDBRAIN_LLM_TIMEOUT_S", "nan"),
        ("SECONDBRAIN_LLM_TIMEOUT_S", "inf"),
        ("SECONDBRAIN_LLM_MAX_RETRIES", "-1"),
        ("SECONDBRAIN_LLM_THREADS", "-2"),
        ("SECONDBRAIN_NOTION_MAX_RETRIES", "-1"),
        ("SECONDBRAIN_CHUNK_TOKENS", "0"),
        ("SECONDBRAIN_CHUNK_OVERLAP_TOKENS", "-1"),
        ("SECONDBRAIN_RRF_K", "-1"),
        ("SECONDBRAIN_HYBRID_DENSE_WEIGHT", "1.5"),
    ],
)
def test_nonsense_numeric_settings_are_refused(monkeypatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError):
        Settings()


def test_nonsense_serving_setting_exits_2_from_the_cli(settings: Settings) -> None:
    completed = _serve("--port", str(free_port()), env={"SECONDBRAIN_SERVE_QUEUE_SIZE": "-1"})
    assert completed.returncode == 2
    assert len(completed.stderr.strip().splitlines()) == 1 and "serve_queue_size" in completed.stderr.lower()
