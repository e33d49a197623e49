"""Public seed pairs: human one-line summaries of technical texts, from corpora installed offline.

Debian's `manpages` and `manpages-dev` are redistributable and installed offline: a page's NAME
line (written by its authors) summarizes its DESCRIPTION. They teach the one-line technical
summary: short, naming the key term, not copied from the text. Their NAME lines are verb phrases
("list directory contents"), so two more corpora of noun-phrase one-liners can be mixed in
(`seed_mix`): installed Python distributions' `Summary` (`seed_pypi.py`) and Perl core modules'
POD NAME lines (`seed_pod.py`). Documents are picked by a hash of their id, so a limit takes the
same ones on every machine that has them.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from secondbrain_core.dataset.documents import Document
from secondbrain_core.dataset.filters import COPY_LIMIT
from secondbrain_core.dataset.judge import copy_ratio
from secondbrain_core.dataset.leakage import LeakIndex, normalize_name, public_eval_index
from secondbrain_core.dataset.manpages import DEFAULT_SOURCE, read_pages
from secondbrain_core.dataset.seed_pod import pod_documents
from secondbrain_core.dataset.seed_pypi import pypi_documents

SEED_SOURCE = "seed-manpages"
MIN_BODY_CHARS = 200


def seed_documents(limit: int, source: Path = DEFAULT_SOURCE) -> list[Document]:
    """Up to `limit` man pages as documents with their NAME description as summary; one per description."""
    if limit <= 0:
        return []
    seen: set[str] = set()
    documents = []
    for page in read_pages(source):
        key = page.description.lower()
        if key in seen or len(page.body) < MIN_BODY_CHARS or len(page.description.split()) < 2:
            continue
        seen.add(key)
        title = page.names.split(",")[0].strip()
        documents.append(Document(f"man:{page.doc_id}", title, page.body, SEED_SOURCE, page.description))
    return pick(documents, limit)


def pick(documents: list[Document], limit: int) -> list[Document]:
    """The `limit` documents first by a hash of their id, in id order: the same ones wherever they exist."""
    documents = sorted(documents, key=lambda d: hashlib.sha256(d.doc_id.encode()).hexdigest())
    return sorted(documents[:limit], key=lambda d: d.doc_id)


# The corpora that need the quality and leak checks (read whole, then filtered): name -> reader.
CHECKED_SOURCES: dict[str, Callable[[], list[Document]]] = {"pypi": pypi_documents, "pod": pod_documents}
PLACEHOLDERS = {"", "unknown", "none", "todo", "tbd", "n/a"}
MIN_ASCII_SHARE = 0.95  # a summary or text with more non-ASCII than this is not the English the model is taught


def quality_reason(doc: Document) -> str | None:
    """Why a pypi/pod document cannot teach a one-line summary, or None to keep it."""
    summary = (doc.summary or "").strip()
    if len(doc.text) < MIN_BODY_CHARS:
        return "short_text"
    if summary.lower().strip(" .") in PLACEHOLDERS or len(summary.split()) < 2:
        return "placeholder"
    if normalize_name(summary) == normalize_name(doc.title):
        return "placeholder"
    if min(_ascii_share(summary), _ascii_share(doc.text)) < MIN_ASCII_SHARE:
        return "not_english"
    if copy_ratio(summary, doc.text) >= COPY_LIMIT:
        return "copied"
    return None


def _ascii_share(text: str) -> float:
    return sum(ch.isascii() for ch in text) / max(len(text), 1)


def mix_limits(spec: str, total: int) -> dict[str, int]:
    """Per-source limits from a share spec (`manpages=600,pypi=200`) scaled to `total` seed documents."""
    shares = {name: int(n) for name, _, n in (part.partition("=") for part in spec.split(","))}
    weight = sum(shares.values()) or 1
    return {name: round(total * n / weight) for name, n in shares.items()}


@dataclass
class SeedMix:
    """The seed documents of every source, and per source how many were read, kept and why others were dropped."""

    documents: list[Document] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)
    taken: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, dict[str, int]] = field(default_factory=dict)


def seed_mix(limits: dict[str, int], leaks: LeakIndex | None = None) -> SeedMix:
    """Up to `limits[source]` documents of each source: man pages as `seed_documents` picks them; the
    pypi and pod corpora after the leak checks (against `leaks`, by default the corpora the public
    evals are built from, as installed here) and the quality checks. A source missing on this
    machine (no man pages, no Perl) gives no documents."""
    mix = SeedMix()
    if leaks is None and any(limits.get(name, 0) > 0 for name in CHECKED_SOURCES):
        leaks = public_eval_index()
    man = seed_documents(limits.get("manpages", 0))
    mix.documents += man
    mix.taken["manpages"] = len(man)
    for name, reader in CHECKED_SOURCES.items():
        if limits.get(name, 0) <= 0:
            continue
        candidates = reader()
        dropped: Counter[str] = Counter()
        good = []
        for doc in candidates:
            reason = (leaks and leaks.reason(doc)) or quality_reason(doc)  # leaks first: they are what must never pass
            if reason:
                dropped[reason] += 1
            else:
                good.append(doc)
        taken = pick(good, limits[name])
        mix.documents += taken
        mix.read[name], mix.taken[name], mix.dropped[name] = len(candidates), len(taken), dict(dropped)
    return mix
