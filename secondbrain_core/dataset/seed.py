"""Public seed pairs: man pages whose NAME line (written by their authors) summarizes the DESCRIPTION.

Debian's `manpages` and `manpages-dev` are redistributable and installed offline. They teach the
one-line technical summary: short, naming the key term, not copied from the text. The pages
are picked by a hash of their id, so a limit takes the same pages on every machine.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from secondbrain_core.dataset.documents import Document
from secondbrain_core.dataset.manpages import DEFAULT_SOURCE, read_pages

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
    documents.sort(key=lambda d: hashlib.sha256(d.doc_id.encode()).hexdigest())
    return sorted(documents[:limit], key=lambda d: d.doc_id)
