"""Summaries of notes: a fixed, versioned prompt, sent to the endpoint or the in-process model.

The running endpoint (found through its state file) is preferred, so the deployed champion
answers and the weights are not loaded twice; with no endpoint up, the in-process model does
the work. Each style's prompt is part of the model's contract (the fine-tuning data uses the same
ones), so any change to one bumps its version (`styles.py`); the answer is cut to the style asked.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from secondbrain_core.llm import endpoint_process, local_llm
from secondbrain_core.llm.endpoint_process import EndpointState
from secondbrain_core.llm.styles import DEFAULT_STYLE, STYLES, get_style
from secondbrain_core.llm.types import LLMClient
from secondbrain_core.settings import Settings

PROMPT_VERSION = STYLES[DEFAULT_STYLE].version  # of the default style, the one the agent's tool asks for
SYSTEM_PROMPT = "You are a careful assistant. You summarize notes faithfully, without adding facts."
SUMMARY_MAX_TOKENS = max(style.max_tokens for style in STYLES.values())
# Tokens the chat template, the instructions and the summary itself take out of the context.
PROMPT_OVERHEAD_TOKENS = 64
# Conservative characters per token for English prose (SmolLM2's tokenizer averages about 4).
CHARS_PER_TOKEN = 3


class Summary(BaseModel):
    text: str
    model: str
    prompt_version: str
    tokens: int


def truncate_for_context(text: str, max_chars: int) -> str:
    """Cut `text` to `max_chars`, at a paragraph or sentence end when one is near.

    The head of a note carries its title and topic, so the head is kept; a cut mid-sentence
    would invite the model to complete it, so the cut moves back to a boundary when that
    loses less than a third of the budget.
    """
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    boundaries = [m.end() for m in re.finditer(r"\n\s*\n|[.!?](?=\s)", head)]
    cut = boundaries[-1] if boundaries and boundaries[-1] >= max_chars * 2 // 3 else max_chars
    return head[:cut].rstrip() + "\n[…]"


def summary_messages(
    text: str, settings: Settings, style: str = DEFAULT_STYLE, question: str | None = None
) -> list[dict]:
    """The chat messages of `style`'s prompt for `text`, truncated to fit the model's context."""
    budget = settings.llm_context_tokens - SUMMARY_MAX_TOKENS - PROMPT_OVERHEAD_TOKENS
    body = truncate_for_context(text.strip(), max(budget, 1) * CHARS_PER_TOKEN)
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": get_style(style).user_prompt(body, question)},
    ]


def summarize_with(
    client: LLMClient, text: str, settings: Settings, style: str = DEFAULT_STYLE, question: str | None = None
) -> Summary:
    """Summarize with a given client (evals pick the model; `summarize` picks the endpoint)."""
    chosen = get_style(style)
    result = client.chat(summary_messages(text, settings, style, question), max_tokens=chosen.max_tokens)
    return Summary(
        text=chosen.shape(result.text),
        model=result.model,
        prompt_version=chosen.version,
        tokens=result.prompt_tokens + result.completion_tokens,
    )


def summarize(text: str, settings: Settings, style: str = DEFAULT_STYLE) -> Summary:
    """Summarize through the running endpoint, or in-process (the champion) when none is up."""
    endpoint = endpoint_process.current(settings)
    if endpoint is None:
        return summarize_with(local_llm(settings, "champion"), text, settings, style)
    return summarize_via_endpoint(endpoint, text, settings, style)


def summarize_via_endpoint(
    endpoint: EndpointState, text: str, settings: Settings, style: str = DEFAULT_STYLE
) -> Summary:
    """One summary from the deployed endpoint, through the official `openai` client."""
    import openai

    chosen = get_style(style)
    client = openai.OpenAI(
        base_url=f"{endpoint.url}/v1",
        api_key=settings.api_key.get_secret_value() if settings.api_key else "local",
        timeout=settings.llm_timeout_s,
    )
    response = client.chat.completions.create(
        model=endpoint.model,
        messages=summary_messages(text, settings, style),
        max_tokens=chosen.max_tokens,
        temperature=0,
    )
    usage = response.usage
    return Summary(
        text=chosen.shape(response.choices[0].message.content or ""),
        model=response.model,
        prompt_version=chosen.version,
        tokens=usage.total_tokens if usage else 0,
    )
