"""Local LLM throughput: tokens/s and time to first token, in-process vs over our endpoint.

Measures SmolLM2-135M-Instruct (greedy, `--max-tokens` new tokens per prompt) through
(a) the transformers engine, (b) the llama.cpp engine when llama-cpp-python is importable,
(c) the OpenAI-compatible endpoint (`endpoint_process.deploy`, a separate process, streamed
with the official `openai` client), serving the same engine. Each engine runs in its own
process; in-process and endpoint requests alternate prompt by prompt, so load from other jobs
hits both alike; figures are medians. Endpoint overhead = in-process tok/s ÷ endpoint tok/s − 1.

Usage:
    python benchmarks/llm_throughput.py --max-tokens 64 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import openai

from secondbrain_core.llm import endpoint_process
from secondbrain_core.llm.local import LocalChatModel, llamacpp_available
from secondbrain_core.llm.models import base_model
from secondbrain_core.runtime_env import apply_runtime_env
from secondbrain_core.settings import Settings

PROMPTS = [
    "Write a short paragraph about the ocean.",
    "Explain in a few sentences why the sky is blue.",
    "Summarize: the team moved the weekly sync to Thursdays; Ana migrates the database by Friday.",
]


def timed(pieces: Iterator[str], count_tokens: Callable[[], int]) -> dict:
    """Run one stream to the end: time to first piece, and tokens/s over the whole request."""
    started = time.perf_counter()
    first = None
    for _ in pieces:
        first = first or time.perf_counter() - started
    total = time.perf_counter() - started
    tokens = count_tokens()
    return {"ttft_s": first or total, "tokens": tokens, "tok_s": tokens / total}


def in_process(model: LocalChatModel, prompt: str, max_tokens: int) -> dict:
    stream = model.stream([{"role": "user", "content": prompt}], max_tokens=max_tokens)
    return timed(stream, lambda: stream.result.completion_tokens)


def over_http(client: openai.OpenAI, prompt: str, max_tokens: int) -> dict:
    usage = {}

    def pieces() -> Iterator[str]:
        response = client.chat.completions.create(
            model="base",
            messages=[{"role": "user", "content": prompt}],
            max_tokens=max_tokens,
            temperature=0,
            stream=True,
            stream_options={"include_usage": True},
        )
        for chunk in response:
            if chunk.usage:
                usage["completion"] = chunk.usage.completion_tokens
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content

    return timed(pieces(), lambda: usage["completion"])


def summarize(samples: list[dict]) -> dict:
    return {
        "tok_s": round(statistics.median(s["tok_s"] for s in samples), 1),
        "ttft_ms": round(statistics.median(s["ttft_s"] for s in samples) * 1000, 1),
        "n": len(samples),
    }


def measure(engine: str, max_tokens: int, rounds: int) -> dict:
    """One engine in-process and the endpoint serving that same engine, measured in alternation."""
    home = Path(tempfile.mkdtemp(prefix="llm-bench-"))
    settings = Settings(home=home, llm_backend=engine)
    apply_runtime_env(settings)
    started = time.perf_counter()
    model = LocalChatModel(base_model(), backend=engine, threads=settings.llm_threads)
    load_s = {"in_process": round(time.perf_counter() - started, 2)}
    started = time.perf_counter()
    state = endpoint_process.deploy(settings, "base")
    load_s["endpoint_process_start"] = round(time.perf_counter() - started, 2)
    client = openai.OpenAI(base_url=f"{state.url}/v1", api_key="local")
    samples: dict[str, list[dict]] = {"in_process": [], "endpoint": []}
    try:
        in_process(model, PROMPTS[0], 8)  # warm-up: first calls allocate caches
        over_http(client, PROMPTS[0], 8)
        for _ in range(rounds):
            for prompt in PROMPTS:
                samples["in_process"].append(in_process(model, prompt, max_tokens))
                samples["endpoint"].append(over_http(client, prompt, max_tokens))
    finally:
        endpoint_process.stop(settings)
    report = {name: summarize(s) for name, s in samples.items()}
    overhead = report["in_process"]["tok_s"] / report["endpoint"]["tok_s"] - 1
    return {"engine": engine, "load_s": load_s, **report, "endpoint_overhead_pct": round(overhead * 100, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engine", choices=["transformers", "llamacpp"], help="measure only this engine, here")
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(measure(args.engine, args.max_tokens, args.rounds)))
        return
    # Each engine in a fresh process: torch's OpenMP workers keep spinning after a forward pass
    # and would slow a llama.cpp engine measured in the same process.
    results = []
    for engine in ["transformers", *(["llamacpp"] if llamacpp_available() else [])]:
        command = [sys.executable, __file__, "--engine", engine, "--max-tokens", str(args.max_tokens)]
        out = subprocess.run([*command, "--rounds", str(args.rounds)], capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(json.dumps({"max_tokens": args.max_tokens, "rounds": args.rounds, "results": results}, indent=2))


if __name__ == "__main__":
    main()
