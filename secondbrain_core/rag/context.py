"""Contextual retrieval: a short text situating each chunk in its page, indexed with the chunk.

A chunk like "It grew 3% over the previous quarter" is unfindable alone; prefixed with where it
sits ("ACME Q2 report › Revenue") it matches both BM25 and dense queries. Two ways to get it:

- `llm`: Anthropic's contextual-retrieval prompt (whole document + chunk → ≤100 tokens),
  cached on disk by (document hash, chunk hash, model, prompt version) so a re-index of
  unchanged pages costs no LLM call;
- `structural`: free — "title › heading path", plus the page's stored summary when it has one.

`SECONDBRAIN_CONTEXT_MODE` = auto (llm when an OpenAI-compatible key is set, else structural),
llm, structural or none, so the evaluation can measure each against none.
"""

from __future__ import annotations

import hashlib
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Lock

from secondbrain_core.errors import SecondBrainError
from secondbrain_core.rag.chunking import Chunk
from secondbrain_core.rag.tokens import count_tokens, split_to_tokens
from secondbrain_core.settings import Settings
from secondbrain_core.sources.page import Page

PROMPT_VERSION = "anthropic-contextual-retrieval-v1"
CONTEXT_MAX_TOKENS = 100
STRUCTURAL_MAX_TOKENS = 48
DOCUMENT_MAX_CHARS = 24_000
LLM_WORKERS = 4
MODES = ("auto", "llm", "structural", "none")
_SUMMARY_KEYS = ("summary", "tl;dr", "tldr", "abstract")

PROMPT = """<document>
{document}
</document>
Here is the chunk we want to situate within the whole document
<chunk>
{chunk}
</chunk>
Please give a short succinct context to situate this chunk within the overall document for the purposes of \
improving search retrieval of the chunk. Answer only with the succinct context and nothing else."""


def resolve_mode(settings: Settings) -> str:
    """The mode actually used: `auto` becomes `llm` with an API key, else `structural`."""
    mode = settings.context_mode.strip().lower()
    if mode not in MODES:
        raise SecondBrainError(f"SECONDBRAIN_CONTEXT_MODE={settings.context_mode!r}: use one of {', '.join(MODES)}")
    if mode == "auto":
        return "llm" if settings.openai_api_key else "structural"
    return mode


class ContextBuilder:
    """Sets each chunk's context for the configured mode; one per indexing run (one LLM client).

    The context shares the embedder's input window with the chunk: it gets at most `budget`
    tokens (and never more than half of `chunk_tokens`), and the chunker leaves that room, so
    context + chunk fit `chunk_tokens` and the dense vector never loses the chunk's tail.
    """

    def __init__(self, settings: Settings) -> None:
        self.mode = resolve_mode(settings)
        self._llm = LLMContextualizer(settings) if self.mode == "llm" else None
        wanted = {"none": 0, "structural": STRUCTURAL_MAX_TOKENS, "llm": CONTEXT_MAX_TOKENS}[self.mode]
        self.budget = min(wanted, settings.chunk_tokens // 2)

    def add(self, page: Page, chunks: list[Chunk]) -> list[Chunk]:
        """`chunks` of `page` with their context set (ids change with it); `none` leaves them."""
        if self.mode == "none" or not chunks:
            return chunks
        if self._llm is not None:
            contexts = self._llm.contexts(page, chunks)
        else:
            contexts = [structural_context(page, chunk) for chunk in chunks]
        return _with_contexts(chunks, [_fit(context, self.budget) for context in contexts])


def structural_context(page: Page, chunk: Chunk) -> str:
    """`Title › Heading › Subheading`, then the page's stored summary if any."""
    trail = " › ".join([page.title or page.id, *[h for h in chunk.heading_path if h != page.title]])
    summary = page_summary(page)
    return f"{trail}\n{summary}" if summary else trail


def _fit(context: str, budget: int) -> str:
    """The context cut to `budget` tokens (at a word boundary) when it is longer."""
    return split_to_tokens(context, budget)[0] if count_tokens(context) > budget else context


def page_summary(page: Page) -> str:
    for name, value in page.properties.items():
        if name.strip().lower() in _SUMMARY_KEYS and isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _with_contexts(chunks: list[Chunk], contexts: list[str]) -> list[Chunk]:
    """Set contexts, numbering identical (text, context) pairs so ids stay unique."""
    seen: dict[tuple, int] = {}
    result = []
    for chunk, context in zip(chunks, contexts, strict=True):
        key = (tuple(chunk.heading_path), chunk.text, context)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        result.append(chunk.with_context(context, occurrence))
    return result


class ContextCache:
    """LLM contexts on disk (sqlite under $SECONDBRAIN_HOME/cache), keyed by what determines them."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS contexts (doc TEXT, chunk TEXT, model TEXT, prompt TEXT, context TEXT,"
            " PRIMARY KEY (doc, chunk, model, prompt))"
        )

    def get(self, key: tuple[str, str, str, str]) -> str | None:
        row = self._db.execute(
            "SELECT context FROM contexts WHERE doc=? AND chunk=? AND model=? AND prompt=?", key
        ).fetchone()
        return row[0] if row else None

    def put(self, key: tuple[str, str, str, str], context: str) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO contexts VALUES (?, ?, ?, ?, ?)", (*key, context))

    def close(self) -> None:
        self._db.close()


class LLMContextualizer:
    """Asks the configured LLM for each chunk's context, once per (document, chunk, model)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        remote = bool(settings.openai_api_key or settings.openai_base_url)
        self._model = settings.openai_model if remote else "local"
        self._workers = LLM_WORKERS if remote else 1  # the in-process model runs one prompt at a time
        self._client = None
        self._client_lock = Lock()

    def contexts(self, page: Page, chunks: list[Chunk]) -> list[str]:
        document = _document_text(page)
        doc_hash = _sha(document)
        cache = ContextCache(self._settings.home / "cache" / "contexts.sqlite")
        try:
            keys = [(doc_hash, _sha(chunk.text), self._model, PROMPT_VERSION) for chunk in chunks]
            found = [cache.get(key) for key in keys]
            missing = [i for i, value in enumerate(found) if value is None]
            prompts = [PROMPT.format(document=document, chunk=chunks[i].text) for i in missing]
            with ThreadPoolExecutor(max_workers=self._workers) as pool:
                answers = list(pool.map(self._chat, prompts))
            for i, answer in zip(missing, answers, strict=True):
                found[i] = answer.strip()
                cache.put(keys[i], found[i])
        finally:
            cache.close()
        return [value or "" for value in found]

    def _chat(self, prompt: str) -> str:
        with self._client_lock:  # created on first need: a fully cached run loads no model
            if self._client is None:
                from secondbrain_core.llm import llm_for

                self._client = llm_for(self._settings)
        result = self._client.chat([{"role": "user", "content": prompt}], max_tokens=CONTEXT_MAX_TOKENS)
        return result.text


def _document_text(page: Page) -> str:
    text = f"# {page.title}\n\n{page.markdown}"
    return text if len(text) <= DOCUMENT_MAX_CHARS else text[:DOCUMENT_MAX_CHARS] + "\n…"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
