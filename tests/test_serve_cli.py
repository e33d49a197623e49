"""`secondbrain serve` as a user starts it: the console script, a port, a model, Ctrl-C to stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai

from secondbrain_core.processes import free_port
from secondbrain_core.settings import Settings

SECONDBRAIN = Path(sys.executable).parent / "secondbrain"
READY_S = 120


def _wait_healthy(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"secondbrain serve did not answer /healthz within {READY_S} s")


def test_serve_answers_on_its_port_and_stops_on_ctrl_c(settings: Settings) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(SECONDBRAIN), "serve", "--port", str(port), "--host", "127.0.0.1", "--model", "base"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_healthy(url, proc)
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused")
        assert [m.id for m in client.models.list().data]
        reply = client.chat.completions.create(
            model="base", messages=[{"role": "user", "content": "Say hi."}], max_tokens=4
        )
        assert reply.choices[0].message.content.strip() and reply.usage.completion_tokens <= 4
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
    assert "endpoint stopped" in out


def test_serve_with_an_unknown_model_exits_2_naming_it(settings: Settings) -> None:
    completed = subprocess.run(
        [str(SECONDBRAIN), "serve", "--port", str(free_port()), "--model", "no-such-model"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2
    assert "no-such-model" in completed.stderr and len(completed.stderr.strip().splitlines()) == 1
