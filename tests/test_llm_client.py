"""The LLM clients: HTTP retries against a fake loopback server, and the in-process model."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.llm import llm_for
from secondbrain_core.llm.http_client import HTTPChatClient, LLMHTTPError, retry_delay
from secondbrain_core.llm.local import LocalChatModel
from secondbrain_core.llm.models import base_model, resolve_model
from secondbrain_core.llm.stops import StopScanner
from secondbrain_core.llm.types import ContextLengthError
from secondbrain_core.settings import Settings

HELLO = [{"role": "user", "content": "Say hello."}]


def _completion(text: str) -> dict:
    return {
        "model": "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
    }


@contextmanager
def fake_openai(script: list[tuple[int, dict, bytes]]) -> Iterator[tuple[str, list[dict]]]:
    """A loopback server answering POSTs with the scripted (status, headers, body) in turn."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            status, headers, body = script[min(len(seen), len(script)) - 1]
            self.send_response(status)
            for key, value in {"content-length": str(len(body)), **headers}.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()


OK = (200, {"content-type": "application/json"}, json.dumps(_completion("hi there")).encode())


def test_retries_429_honouring_retry_after_then_succeeds() -> None:
    script = [(429, {"retry-after": "1"}, b'{"error":{"message":"slow down"}}'), OK]
    with fake_openai(script) as (url, seen):
        client = HTTPChatClient(url, "sk-test", "fake-model", backoff_s=0.01)
        started = time.monotonic()
        result = client.chat(HELLO, max_tokens=5, stop=["\n"])
        waited = time.monotonic() - started
    assert result.text == "hi there" and result.model == "fake-model"
    assert len(seen) == 2
    assert waited >= 1.0  # the server's Retry-After, not the 10 ms backoff
    assert seen[0] == {"model": "fake-model", "messages": HELLO, "max_tokens": 5, "temperature": 0.0, "stop": ["\n"]}
    assert client.usage.snapshot() == {"requests": 1, "prompt_tokens": 7, "completion_tokens": 3}


def test_retries_5xx_with_backoff_and_gives_up_bounded() -> None:
    flaky = [(503, {}, b"busy"), (502, {}, b"bad gateway"), OK]
    with fake_openai(flaky) as (url, seen):
        assert HTTPChatClient(url, None, "m", backoff_s=0.01).chat(HELLO).text == "hi there"
        assert len(seen) == 3
    with fake_openai([(500, {}, b"boom")]) as (url, seen):
        with pytest.raises(LLMHTTPError, match="500"):
            HTTPChatClient(url, None, "m", max_retries=2, backoff_s=0.01).chat(HELLO)
        assert len(seen) == 3  # the first try and two retries


def test_client_errors_are_not_retried() -> None:
    with fake_openai([(400, {}, b'{"error":{"message":"bad"}}'), OK]) as (url, seen):
        with pytest.raises(LLMHTTPError, match="400"):
            HTTPChatClient(url, None, "m", backoff_s=0.01).chat(HELLO)
        assert len(seen) == 1


def test_unreachable_endpoint_fails_after_retries() -> None:
    with fake_openai([OK]) as (url, _):
        pass  # shut down: nothing listens on that port any more
    with pytest.raises(LLMHTTPError, match="unreachable"):
        HTTPChatClient(url, None, "m", max_retries=1, backoff_s=0.01).chat(HELLO)


def test_retry_delay_reads_seconds_dates_and_backs_off() -> None:
    def response(value: str) -> httpx.Response:
        return httpx.Response(429, headers={"retry-after": value})

    assert retry_delay(0, response("3"), 0.5) == 3.0
    assert 8 <= retry_delay(0, response(formatdate(time.time() + 10, usegmt=True)), 0.5) <= 10
    assert [retry_delay(n, None, 0.5) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert retry_delay(20, None, 0.5) == 30.0  # capped
    assert retry_delay(0, response("9999"), 0.5) == 30.0
    assert retry_delay(2, response("soon, please"), 0.5) == 2.0  # unreadable header: plain backoff


def test_streaming_over_http_collects_pieces_and_usage() -> None:
    chunks = [{"model": "m", "choices": [{"delta": {"content": p}, "finish_reason": None}]} for p in ("Hel", "lo")]
    chunks.append({"model": "m", "choices": [{"delta": {}, "finish_reason": "length"}]})
    chunks.append({"model": "m", "choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2}})
    sse = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    with fake_openai([(200, {"content-type": "text/event-stream"}, sse.encode())]) as (url, seen):
        client = HTTPChatClient(url, None, "m")
        stream = client.stream(HELLO, max_tokens=2)
        assert list(stream) == ["Hel", "lo"]
    assert seen[0]["stream"] is True and seen[0]["stream_options"] == {"include_usage": True}
    assert stream.result.text == "Hello" and stream.result.finish_reason == "length"
    assert client.usage.snapshot() == {"requests": 1, "prompt_tokens": 4, "completion_tokens": 2}


def test_llm_for_picks_http_when_configured(tmp_path) -> None:
    remote = llm_for(Settings(home=tmp_path, openai_base_url="http://127.0.0.1:9/v1", openai_model="qwen"))
    assert isinstance(remote, HTTPChatClient) and remote.model == "qwen"
    assert isinstance(llm_for(Settings(home=tmp_path, openai_api_key=None, openai_base_url=None)), LocalChatModel)


def test_stop_scanner_holds_back_split_stop_strings() -> None:
    scanner = StopScanner(["END"])
    assert [scanner.feed(d) for d in ("abc E", "N", "Dxyz")] == ["abc", " ", ""]
    assert scanner.stopped and scanner.flush() == ""
    open_end = StopScanner(["END"])
    assert open_end.feed("abcEN") + open_end.flush() == "abcEN"


@pytest.fixture(scope="module", params=["llamacpp", "transformers"])
def smol(request: pytest.FixtureRequest) -> LocalChatModel:
    """Both engines: llama.cpp serves GGUF by default, transformers stays for tuned checkpoints."""
    return LocalChatModel(base_model(), backend=request.param)


def test_llamacpp_threads_follow_the_settings_and_key_the_cache(tmp_path) -> None:
    """`SECONDBRAIN_LLM_THREADS` reaches llama.cpp; a model with other threads is a separate load."""
    one = LocalChatModel.from_settings(Settings(home=tmp_path, llm_backend="llamacpp", llm_threads=1), base_model())
    every = LocalChatModel(base_model(), backend="llamacpp")
    assert one.engine.llm.n_threads == 1
    assert every.engine.llm.n_threads == os.cpu_count() and every.engine is not one.engine
    assert one.chat(HELLO, max_tokens=4).text == every.chat(HELLO, max_tokens=4).text  # same greedy answer


def test_local_model_loads_once_and_counts_usage(smol: LocalChatModel) -> None:
    other = LocalChatModel(base_model(), backend=smol.engine.backend)
    assert other.engine is smol.engine  # the weights are cached per process
    result = other.chat(HELLO, max_tokens=6)
    assert result.completion_tokens <= 6 and result.prompt_tokens > 5
    assert result.finish_reason == ("length" if result.completion_tokens == 6 else "stop")
    assert other.usage.snapshot() == {
        "requests": 1,
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
    }


def test_local_model_is_thread_safe_and_deterministic(smol: LocalChatModel) -> None:
    expected = smol.chat(HELLO, max_tokens=5).text
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(smol.chat(HELLO, max_tokens=5).text)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected, expected]


def test_local_model_stop_strings_and_sampling(smol: LocalChatModel) -> None:
    prompt = [{"role": "user", "content": "List the numbers from 1 to 5, separated by commas."}]
    full = smol.chat(prompt, max_tokens=8).text
    stop = full.strip()[2:4]
    cut = smol.chat(prompt, max_tokens=8, stop=[stop])
    assert cut.text == full[: full.index(stop)] and cut.finish_reason == "stop"
    sampled = smol.chat(prompt, max_tokens=4, temperature=0.8)
    assert 1 <= sampled.completion_tokens <= 4


def test_local_model_refuses_a_prompt_beyond_its_context() -> None:
    tiny = LocalChatModel(base_model(), context_tokens=16)
    with pytest.raises(ContextLengthError, match="16"):
        tiny.chat([{"role": "user", "content": "word " * 40}], max_tokens=4)


def test_champion_resolves_the_mlflow_alias_else_base(settings: Settings, tmp_path) -> None:
    from mlflow.tracking import MlflowClient

    assert resolve_model(settings, "champion").source == "base"  # no registry yet
    # this home's registry named: the process-wide one may be another test's (tracing sets it)
    client = MlflowClient(settings.mlflow_tracking_uri, registry_uri=settings.mlflow_tracking_uri)
    experiment = client.create_experiment("tuning", artifact_location=(tmp_path / "artifacts").as_uri())
    run = client.create_run(experiment)
    weights = tmp_path / "weights"
    weights.mkdir()
    (weights / "config.json").write_text('{"model_type": "llama"}')
    client.log_artifacts(run.info.run_id, str(weights), "model")
    assert resolve_model(settings, "champion").source == "base"  # a registry, but no summarizer@champion

    client.create_registered_model("summarizer")
    version = client.create_model_version("summarizer", f"{run.info.artifact_uri}/model", run.info.run_id)
    client.set_registered_model_alias("summarizer", "champion", version.version)
    ref = resolve_model(settings, "champion")
    assert (ref.name, ref.version, ref.source) == ("summarizer", str(version.version), "registry")
    assert (ref.path / "config.json").read_text() == '{"model_type": "llama"}'
    assert ref.path.is_relative_to(settings.home.resolve() / "models")


def test_unknown_model_name_is_a_user_error(tmp_path) -> None:
    with pytest.raises(SecondBrainError, match="no-such-model"):
        resolve_model(Settings(home=tmp_path), str(tmp_path / "no-such-model"))
