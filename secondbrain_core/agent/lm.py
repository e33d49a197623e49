"""DSPy language models for the two programs, and the plain-text adapter the local one needs.

- `capable_lm(settings)`: `dspy.LM` over the configured OpenAI-compatible API, for the
  tool-using agent, with `max_tokens` inside what the server accepts.
- `local_lm(client)`: `dspy.LM` whose engine is our own `LLMClient` (SmolLM2 in-process or
  the endpoint), so DSPy's history, callbacks and MLflow autologging see every call.
- `PlainTextAdapter`: SmolLM2-135M writes prose, never DSPy's `[[ ## field ## ]]` markers or
  JSON, so ChatAdapter/JSONAdapter raise `AdapterParseError` on every call. This adapter asks
  in plain words and takes the whole completion (its first paragraph) as the single output
  field; it never fails to parse.
"""

from __future__ import annotations

from typing import Any

import dspy
from dspy.lm15 import Message, Response, TextPart, Usage, response_to_events

from secondbrain_core.llm.types import LLMClient
from secondbrain_core.settings import Settings

CAPABLE_MAX_TOKENS = 1024  # our endpoint refuses more than serve_max_tokens (1024 by default)


class ClientEngine:
    """A DSPy engine (complete(Request) -> Response) over an `LLMClient`."""

    def __init__(self, client: LLMClient) -> None:
        self.client = client

    def complete(self, request) -> Response:
        messages = []
        if request.system is not None:
            system = request.system if isinstance(request.system, str) else "".join(p.text for p in request.system)
            messages.append({"role": "system", "content": system})
        messages.extend({"role": m.role, "content": m.text or ""} for m in request.messages)
        config = request.config
        result = self.client.chat(
            messages,
            max_tokens=config.max_tokens or 256,
            temperature=config.temperature or 0.0,
            stop=list(config.stop) or None,
        )
        return Response(
            id=None,
            model=result.model,
            message=Message.assistant([TextPart(result.text)]),
            finish_reason="stop" if result.finish_reason == "stop" else "length",
            usage=Usage(
                input_tokens=result.prompt_tokens,
                output_tokens=result.completion_tokens,
                total_tokens=result.prompt_tokens + result.completion_tokens,
            ),
        )

    def stream(self, request):
        return response_to_events(self.complete(request))

    def close(self) -> None:
        pass


def local_lm(client: LLMClient, max_tokens: int = 64) -> dspy.LM:
    """`client` as a DSPy LM (no cache: a re-asked question is answered, not replayed)."""
    return dspy.LM(f"local/{client.model}", engine=ClientEngine(client), cache=False, max_tokens=max_tokens)


def capable_lm(settings: Settings) -> dspy.LM:
    """The configured OpenAI-compatible model for the tool-using agent."""
    key = settings.openai_api_key
    secret = key.get_secret_value() if hasattr(key, "get_secret_value") else key
    kwargs: dict[str, Any] = {"api_key": secret or "local"}
    if settings.openai_base_url:
        kwargs["api_base"] = settings.openai_base_url
    return dspy.LM(
        f"openai/{settings.openai_model}",
        temperature=0.0,
        max_tokens=min(CAPABLE_MAX_TOKENS, settings.serve_max_tokens),
        cache=False,
        num_retries=settings.llm_max_retries,
        **kwargs,
    )


class PlainTextAdapter(dspy.Adapter):
    """Plain instructions in, plain text out: the signature's docstring is the system message,
    its inputs are written as labelled paragraphs, and the completion's first paragraph fills
    the (single) output field."""

    def format(self, signature, demos, inputs) -> list[dict[str, Any]]:
        user = "\n\n".join(
            f"{name.replace('_', ' ').capitalize()}:\n{inputs[name]}"
            for name in signature.input_fields
            if inputs.get(name) not in (None, "")
        )
        return [
            {"role": "system", "content": signature.instructions},
            {"role": "user", "content": user},
        ]

    def parse(self, signature, completion: str) -> dict[str, Any]:
        (name,) = signature.output_fields
        first = completion.strip().split("\n\n")[0].strip()
        return {name: first}
