"""One way to talk to a language model, wherever it runs.

`llm_for(settings)` gives an OpenAI-compatible HTTP client when `OPENAI_API_KEY` or
`OPENAI_BASE_URL` is set, else the in-process local model (SmolLM2, or the tuned champion).
"""

from __future__ import annotations

from secondbrain_core.llm.types import ChatResult, LLMClient, TextStream, Usage
from secondbrain_core.settings import Settings

__all__ = ["ChatResult", "LLMClient", "TextStream", "Usage", "llm_for", "local_llm"]


def llm_for(settings: Settings, model: str | None = None) -> LLMClient:
    """The configured LLM. `model` is the remote model name (HTTP) or base/champion/NAME (local)."""
    if settings.openai_api_key or settings.openai_base_url:
        from secondbrain_core.llm.http_client import HTTPChatClient

        return HTTPChatClient(
            settings.openai_base_url,
            settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
            model or settings.openai_model,
            timeout_s=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
        )
    return local_llm(settings, model)


def local_llm(settings: Settings, model: str | None = None) -> LLMClient:
    """The in-process model `base` (default), `champion` or NAME; weights load once per process."""
    from secondbrain_core.llm.local import LocalChatModel
    from secondbrain_core.llm.models import resolve_model

    return LocalChatModel.from_settings(settings, resolve_model(settings, model))
