"""A bounded soak of the endpoint on loopback (issue 10): 200 requests, 16 at a time, a mix of
good ones (streaming or not), clients that hang up early, malformed bodies and wrong keys.

Every request must be answered or cleanly refused (a JSON error), no queue slot and no
generation thread may leak (`/healthz` back to idle, the full queue usable again), and the
memory of the process hosting the server stays bounded. A fast echo backend stands in for
the model, so the whole soak takes seconds; the numbers are printed (`pytest -s`).
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from llm_servers import EchoBackend, serve_app

from secondbrain_core.llm.server import create_app
from secondbrain_core.settings import Settings

REQUESTS, CONCURRENCY, QUEUE = 200, 16, 4
KEY = "soak-key-123"
CHAT = "/v1/chat/completions"
WORDS = " ".join(f"w{i}" for i in range(10))
MAX_RSS_GROWTH_MB = 64


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


def _one(url: str, i: int) -> str:
    """Send request `i` (its kind is `i % 8`); return how it ended, or raise on a wrong answer."""
    auth = {"authorization": f"Bearer {KEY}"}
    good = {"messages": [{"role": "user", "content": f"{WORDS} r{i}"}]}
    kind = i % 8
    if kind in (0, 1, 3):
        try:  # kind 3 gives up after 50 ms: the server must notice and free its place
            response = httpx.post(f"{url}{CHAT}", json=good, headers=auth, timeout=0.05 if kind == 3 else 30)
        except httpx.TimeoutException:
            return "gave up"
        if response.status_code == 200:
            assert response.json()["choices"][0]["message"]["content"].endswith(f"r{i}")
            return "answered"
    elif kind == 2:
        response = httpx.post(f"{url}{CHAT}", json=good | {"stream": True}, headers=auth, timeout=30)
        if response.status_code == 200:
            assert response.text.rstrip().endswith("data: [DONE]") and f"r{i}" in response.text
            return "streamed"
    elif kind == 4:
        with httpx.stream("POST", f"{url}{CHAT}", json=good | {"stream": True}, headers=auth, timeout=30) as response:
            if response.status_code == 200:
                next(response.iter_lines())  # one event, then hang up
                return "hung up mid-stream"
            response.read()
    elif kind == 5:
        response = httpx.post(f"{url}{CHAT}", content=b'{"messages": [' * 2000, headers=auth, timeout=30)
        assert response.status_code == 400, response.text[:200]
    elif kind == 6:
        body = b'{"messages": [{"role": "user", "content": "\\ud800"}], "stream": true}'
        response = httpx.post(f"{url}{CHAT}", content=body, headers=auth, timeout=30)
        assert response.status_code == 400, response.text[:200]
    else:
        response = httpx.post(f"{url}{CHAT}", json=good, headers={"authorization": "Bearer wrong"}, timeout=30)
        assert response.status_code == 401
    assert response.status_code in {400, 401, 503}, (i, response.status_code, response.text[:200])
    assert response.json()["error"]["code"], response.text[:200]
    return f"refused {response.status_code}"


def test_soak_every_request_answered_or_refused_and_nothing_leaks(tmp_path) -> None:
    backend = EchoBackend(delay_s=0.03)
    settings = Settings(home=tmp_path, api_key=KEY, serve_queue_size=QUEUE)
    with serve_app(create_app(backend, settings)) as url:
        for i in range(16):  # warm up: imports, the first connections, the thread pool
            _one(url, i)
        threads_before, rss_before, start = threading.active_count(), _rss_mb(), time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
            outcomes = Counter(pool.map(lambda i: _one(url, i), range(REQUESTS)))
        seconds = time.monotonic() - start

        deadline = time.monotonic() + 5
        while (health := httpx.get(f"{url}/healthz").json())["in_flight"] and time.monotonic() < deadline:
            time.sleep(0.02)
        backend.delay_s = 0.5  # the whole queue at once: a leaked slot would turn one into a 503
        with concurrent.futures.ThreadPoolExecutor(QUEUE + 1) as pool:
            final = list(pool.map(lambda i: _one(url, 8 * i), range(QUEUE + 1)))
        rss_after, threads_after = _rss_mb(), threading.active_count()

    print(
        f"\nsoak: {REQUESTS} requests x{CONCURRENCY} in {seconds:.1f} s: {dict(outcomes)}; "
        f"RSS {rss_before:.0f} -> {rss_after:.0f} MiB; threads {threads_before} -> {threads_after}"
    )
    assert sum(outcomes.values()) == REQUESTS
    assert outcomes["answered"] and outcomes["streamed"] and outcomes["refused 400"] and outcomes["refused 401"]
    assert health["in_flight"] == 0
    assert final == ["answered"] * (QUEUE + 1)
    assert rss_after - rss_before < MAX_RSS_GROWTH_MB
    assert threads_after <= threads_before + 2  # generation threads all ended
