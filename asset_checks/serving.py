"""Checks on `summarization_endpoint`: it answers its health probe, and it really summarizes."""

from __future__ import annotations

import time

import dagster as dg

from secondbrain_core.llm import endpoint_process
from secondbrain_core.llm.summarize import PROMPT_VERSION, summarize_via_endpoint
from secondbrain_dagster.resources import SecondBrainSettings
from secondbrain_dagster.serving.assets import summarization_endpoint

PROBE_TEXT = (
    "Meeting notes, 12 March. The team agreed to move the weekly sync to Thursdays at 10:00. "
    "Ana will migrate the document store to the new cluster by Friday; Ben owns the rollback plan. "
    "The launch stays on schedule for the first week of April."
)


@dg.asset_check(asset=summarization_endpoint, blocking=True)
def endpoint_healthy(sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """The state file names a live process that answers `/healthz`."""
    started = time.perf_counter()
    state = endpoint_process.current(sb.get())
    return dg.AssetCheckResult(
        passed=state is not None,
        metadata={
            "url": state.url if state else "none",
            "probe_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )


@dg.asset_check(asset=summarization_endpoint)
def endpoint_summarizes(sb: SecondBrainSettings) -> dg.AssetCheckResult:
    """One real summary through the official `openai` client: non-empty text and token usage."""
    settings = sb.get()
    state = endpoint_process.current(settings)
    if state is None:
        return dg.AssetCheckResult(passed=False, metadata={"reason": "no endpoint answers"})
    started = time.perf_counter()
    summary = summarize_via_endpoint(state, PROBE_TEXT, settings)
    return dg.AssetCheckResult(
        passed=bool(summary.text) and summary.tokens > 0,
        metadata={
            "summary": summary.text,
            "tokens": summary.tokens,
            "seconds": round(time.perf_counter() - started, 2),
            "prompt_version": PROMPT_VERSION,
        },
    )


SERVING_CHECKS = [endpoint_healthy, endpoint_summarizes]
