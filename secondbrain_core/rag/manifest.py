"""The index's own description, so the CLI and the chat know what they read without Dagster.

For the local index the manifest is also the switch between builds: it names the generation
folder (`rag/generations.py`) holding the files it describes, and is replaced atomically last.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from secondbrain_core.rag.chunking import Chunk
from secondbrain_core.rag.context import resolve_mode
from secondbrain_core.rag.tokens import TOKENIZER_NAME
from secondbrain_core.records import read_record, write_record
from secondbrain_core.settings import Settings

MANIFEST_FILE = "manifest.json"


class IndexManifest(BaseModel):
    embedder: str
    dimension: int
    built_at: datetime
    backend: str = "usearch"
    context_mode: str
    tokenizer: str
    chunk_tokens: int
    overlap_tokens: int
    counts: dict[str, int] = Field(default_factory=dict)
    source_versions: dict[str, str] = Field(default_factory=dict, description="source -> digest of its chunk ids")
    generation: str | None = Field(
        default=None, description="folder under index/ with this build's files; None: index/ itself (older builds)"
    )


def index_dir(settings: Settings) -> Path:
    return settings.home / "index"


def files_dir(settings: Settings, manifest: IndexManifest) -> Path:
    """Where the files of the build that `manifest` describes live."""
    return index_dir(settings) / manifest.generation if manifest.generation else index_dir(settings)


def read_manifest(settings: Settings) -> IndexManifest | None:
    """The current manifest, None before the first build; a damaged one is an error naming the file."""
    return read_record(IndexManifest, index_dir(settings) / MANIFEST_FILE)


def write_manifest(settings: Settings, manifest: IndexManifest) -> None:
    """Written last and atomically: a manifest on disk means the files it describes are complete."""
    write_record(index_dir(settings) / MANIFEST_FILE, manifest)


def build_manifest(
    chunks: list[Chunk], settings: Settings, embedder: str, dimension: int, backend: str, generation: str | None = None
) -> IndexManifest:
    """The manifest of an index holding exactly `chunks` (every back-end writes this one)."""
    by_source: dict[str, list[str]] = {}
    for chunk in chunks:
        by_source.setdefault(chunk.source, []).append(chunk.chunk_id)
    return IndexManifest(
        embedder=embedder,
        dimension=dimension,
        built_at=datetime.now(UTC),
        backend=backend,
        context_mode=resolve_mode(settings),
        tokenizer=TOKENIZER_NAME,
        chunk_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
        counts={"chunks": len(chunks), "pages": len({c.page_id for c in chunks}), "sources": len(by_source)},
        source_versions={
            source: hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:16]
            for source, ids in by_source.items()
        },
        generation=generation,
    )
